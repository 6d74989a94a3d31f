// One poll of a device sign-in, run while its lock is held (device-sign-in.ts): the program's pace
// (slow_down when it polls sooner than its interval), GitHub's pace (asked at most once per
// interval), and GitHub's answer turned into the program's — a token becomes a session.
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import type { DevicePoll } from "../github/client.js";
import { GitHubUnavailableError } from "../github/errors.js";
import type { DeviceAttempts } from "../store/device-attempts.js";
import { openDeviceCode, parseAttempt, type DeviceAttempt } from "./device-attempt.js";
import { DeviceGrantAnswer } from "./device-errors.js";
import { startDeviceSession, type DeviceSessionDependencies, type DeviceSignedIn } from "./device-session.js";
import { clientCredentialsRejected } from "./sign-in-errors.js";

const SLOW_DOWN_STEP_MS = 5_000;

export interface DevicePollDependencies extends DeviceSessionDependencies {
  attempts: DeviceAttempts;
  logger: Logger;
}

export const deviceFlowDisabled = () =>
  new AppError("device_flow_disabled", "Device sign-in is not enabled for this server's GitHub app. Please tell the server's operator.", {
    heading: "Device sign-in unavailable",
  });

/** GitHub's refusals of the flow itself are the operator's to fix: said loudly in the log. */
export function refusedByGitHub(logger: Logger, oauthError: string): AppError {
  if (oauthError === "device_flow_disabled") {
    logger.error({ githubError: oauthError }, "GitHub refuses the device flow: tick \"Enable Device Flow\" in the GitHub App or OAuth App settings, or set DEVICE_FLOW=false");
    return deviceFlowDisabled();
  }
  if (oauthError === "incorrect_client_credentials") return clientCredentialsRejected();
  return new GitHubUnavailableError(`device flow: GitHub answered ${oauthError}`);
}

export async function pollHeld(attemptId: string, userAgent: string | null, deps: DevicePollDependencies): Promise<DeviceSignedIn> {
  const { clock, github, sealer, attempts, logger } = deps;
  const attempt = parseAttempt(await attempts.read(attemptId));
  if (!attempt) throw new DeviceGrantAnswer("invalid_grant");
  const now = clock.now();
  if (now >= attempt.expiresAt) throw await ended(attempts, attemptId, "expired_token");
  const tooSoon = attempt.lastProgramPollAt !== null && now - attempt.lastProgramPollAt < attempt.intervalMs;
  attempt.lastProgramPollAt = now;
  if (tooSoon) {
    attempt.intervalMs += SLOW_DOWN_STEP_MS;
    await attempts.update(attemptId, JSON.stringify(attempt));
    throw new DeviceGrantAnswer("slow_down", undefined, attempt.intervalMs / 1000);
  }
  const askGitHub = now >= attempt.nextGitHubPollAt;
  if (askGitHub) attempt.nextGitHubPollAt = now + attempt.intervalMs;
  await attempts.update(attemptId, JSON.stringify(attempt));
  if (!askGitHub) throw new DeviceGrantAnswer("authorization_pending");
  const deviceCode = openDeviceCode(attempt, attemptId, sealer);
  if (deviceCode === null) throw await ended(attempts, attemptId, "expired_token");
  const answer = await github.pollDeviceToken(deviceCode).catch((error: unknown): DevicePoll => {
    if (!(error instanceof GitHubUnavailableError)) throw error;
    // GitHub is unreachable for a moment: the program keeps polling, and GitHub is asked again at the interval.
    logger.warn({ err: error }, "device sign-in: GitHub could not be asked; the program keeps polling");
    return { outcome: "error", error: "authorization_pending", intervalSeconds: null };
  });
  if (answer.outcome === "tokens") {
    await attempts.delete(attemptId);
    return startDeviceSession(answer.tokens, userAgent, deps);
  }
  throw await githubSaid(deps, attemptId, attempt, answer.error, answer.intervalSeconds);
}

/** GitHub's answer to a poll, as the program hears it. */
async function githubSaid({ attempts, clock, logger }: DevicePollDependencies, attemptId: string, attempt: DeviceAttempt, error: string, intervalSeconds: number | null): Promise<Error> {
  if (error === "authorization_pending") return new DeviceGrantAnswer("authorization_pending");
  if (error === "slow_down") {
    // GitHub's new interval holds for us, and for the program too.
    attempt.intervalMs = intervalSeconds !== null ? intervalSeconds * 1000 : attempt.intervalMs + SLOW_DOWN_STEP_MS;
    attempt.nextGitHubPollAt = clock.now() + attempt.intervalMs;
    await attempts.update(attemptId, JSON.stringify(attempt));
    return new DeviceGrantAnswer("slow_down", undefined, attempt.intervalMs / 1000);
  }
  if (error === "access_denied") return ended(attempts, attemptId, "access_denied", "The sign-in was cancelled on GitHub.");
  // The docs' prose also calls it token_expired; a code GitHub no longer knows has expired for the program.
  if (error === "expired_token" || error === "token_expired" || error === "incorrect_device_code") return ended(attempts, attemptId, "expired_token");
  await attempts.delete(attemptId);
  return refusedByGitHub(logger, error);
}

async function ended(attempts: DeviceAttempts, attemptId: string, code: "expired_token" | "access_denied", description?: string): Promise<DeviceGrantAnswer> {
  await attempts.delete(attemptId);
  return new DeviceGrantAnswer(code, description);
}
