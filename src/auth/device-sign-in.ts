// Device sign-in for programs (SPEC §8, RFC 8628 in shape), read top to bottom: the stored attempt,
// the start, one poll under its lock with both sides' pacing, GitHub's answer, and the session.
//
// POST /auth/device asks GitHub for a device code and keeps it to the server (sealed, with GitHub's
// expiry); the program gets an opaque handle of ours, and the store names the attempt by a hash of
// that handle, so it holds nothing a program could poll with. Each poll of POST /auth/device/token
// runs under a lock on that handle, so polls racing each other make at most one call to GitHub at a
// time and at most one session. GitHub is asked no faster than its interval however fast the
// program polls, and a program polling faster than the interval it was given is told slow_down, as
// GitHub would tell it. Once GitHub gives a token: GET /user, the allow-lists exactly as a browser's
// sign-in applies them (a refusal is access_denied for the program), then a session of kind
// "device" named by a new session token, indexed under the user and audited. Only the program's
// answer ever carries the token.
import { createHash, randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import { AppError } from "../errors.js";
import type { DevicePoll, GitHubClient } from "../github/client.js";
import { GitHubOAuthError, GitHubUnavailableError } from "../github/errors.js";
import type { TokenSet } from "../github/token-response.js";
import type { Sealer } from "../sealer.js";
import type { DeviceAttempts } from "../store/device-attempts.js";
import type { Locks } from "../store/locks.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import type { Audit } from "./audit.js";
import { DeviceGrantAnswer } from "./device-errors.js";
import { entryUnder, startSession } from "./session-start.js";
import type { SessionTokens } from "./session-token.js";
import { clientCredentialsRejected } from "./sign-in-errors.js";
import { checkAllowLists, clientTypeOf, fetchSignedInUser } from "./sign-in-steps.js";

// --- The attempt, as stored ---------------------------------------------------------------------

export interface DeviceAttempt {
  sealedDeviceCode: string;
  expiresAt: number;
  intervalMs: number;
  lastProgramPollAt: number | null;
  nextGitHubPollAt: number;
}

const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const newDeviceHandle = () => randomBytes(32).toString("base64url");

/** The entry's name for a handle; null for anything that is not a handle's shape. */
function attemptIdOf(handle: unknown): string | null {
  if (typeof handle !== "string" || !HANDLE_PATTERN.test(handle)) return null;
  return createHash("sha256").update(handle).digest("base64url");
}

const codeContext = (attemptId: string) => `device-code:${attemptId}`;

function sealDeviceCode(deviceCode: string, attemptId: string, sealer: Sealer): string {
  return sealer.seal(deviceCode, codeContext(attemptId));
}

function openDeviceCode(attempt: DeviceAttempt, attemptId: string, sealer: Sealer): string | null {
  return sealer.open(attempt.sealedDeviceCode, codeContext(attemptId));
}

function parseAttempt(raw: string | null): DeviceAttempt | null {
  if (!raw) return null;
  try {
    const attempt = JSON.parse(raw) as DeviceAttempt;
    return typeof attempt.sealedDeviceCode === "string" && typeof attempt.expiresAt === "number" ? attempt : null;
  } catch {
    return null;
  }
}

// --- Start and poll ------------------------------------------------------------------------------

/** A late poll still hears "expired" this long after GitHub's expiry, rather than "unknown". */
const EXPIRED_GRACE_MS = 10 * 60_000;

export interface DeviceSignInDependencies extends DevicePollDependencies {
  locks: Locks;
}

export interface StartedDeviceSignIn {
  handle: string;
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

export function createDeviceSignIn(deps: DeviceSignInDependencies) {
  const { clock, github, sealer, attempts, logger } = deps;

  async function start(): Promise<StartedDeviceSignIn> {
    const codes = await github.requestDeviceCode().catch((error: unknown) => {
      throw error instanceof GitHubOAuthError ? refusedByGitHub(logger, error.oauthError) : error;
    });
    const handle = newDeviceHandle();
    const attemptId = attemptIdOf(handle)!;
    const now = clock.now();
    const attempt: DeviceAttempt = {
      sealedDeviceCode: sealDeviceCode(codes.deviceCode, attemptId, sealer),
      expiresAt: now + codes.expiresInSeconds * 1000,
      intervalMs: codes.intervalSeconds * 1000,
      lastProgramPollAt: null,
      // GitHub counts its interval from the code request: the first call waits it out too.
      nextGitHubPollAt: now + codes.intervalSeconds * 1000,
    };
    await attempts.create(attemptId, JSON.stringify(attempt), codes.expiresInSeconds * 1000 + EXPIRED_GRACE_MS);
    return {
      handle,
      userCode: codes.userCode,
      verificationUri: codes.verificationUri,
      expiresInSeconds: codes.expiresInSeconds,
      intervalSeconds: codes.intervalSeconds,
    };
  }

  async function poll(handle: unknown, userAgent: string | null): Promise<DeviceSignedIn> {
    const attemptId = attemptIdOf(handle);
    if (attemptId === null) throw new DeviceGrantAnswer("invalid_grant");
    // Another poll of this handle is under way: this one came sooner than the interval.
    const owner = await deps.locks.tryAcquire(`device:${attemptId}`, deps.config.github.timeoutMs * 4);
    if (owner === null) throw new DeviceGrantAnswer("slow_down", undefined, await currentInterval(attemptId));
    try {
      return await pollHeld(attemptId, userAgent, deps);
    } finally {
      await deps.locks.release(`device:${attemptId}`, owner);
    }
  }

  async function currentInterval(attemptId: string): Promise<number | null> {
    const attempt = parseAttempt(await attempts.read(attemptId));
    return attempt ? attempt.intervalMs / 1000 : null;
  }

  return { start, poll };
}

export type DeviceSignIn = ReturnType<typeof createDeviceSignIn>;

// --- One poll, holding its lock: both sides' pacing, and GitHub's answer --------------------------

const SLOW_DOWN_STEP_MS = 5_000;

interface DevicePollDependencies extends DeviceSessionDependencies {
  attempts: DeviceAttempts;
  logger: Logger;
}

const deviceFlowDisabled = () =>
  new AppError("device_flow_disabled", "Device sign-in is not enabled for this server's GitHub app. Please tell the server's operator.", {
    heading: "Device sign-in unavailable",
  });

/** GitHub's refusals of the flow itself are the operator's to fix: said loudly in the log. */
function refusedByGitHub(logger: Logger, oauthError: string): AppError {
  if (oauthError === "device_flow_disabled") {
    logger.error(
      { githubError: oauthError },
      'GitHub refuses the device flow: tick "Enable Device Flow" in the GitHub App or OAuth App settings, or set DEVICE_FLOW=false',
    );
    return deviceFlowDisabled();
  }
  if (oauthError === "incorrect_client_credentials") return clientCredentialsRejected();
  return new GitHubUnavailableError(`device flow: GitHub answered ${oauthError}`);
}

/**
 * Both sides' pacing for one poll at `now` (RFC 8628 §3.5): a program polling sooner than its
 * interval is told slow_down and its interval grows by 5 s; GitHub is asked at most once per
 * interval, whatever the program does ("wait": answer authorization_pending without asking).
 */
export function paceDevicePoll(attempt: DeviceAttempt, now: number): { pace: "slow_down" | "wait" | "ask_github"; paced: DeviceAttempt } {
  const tooSoon = attempt.lastProgramPollAt !== null && now - attempt.lastProgramPollAt < attempt.intervalMs;
  const polled = { ...attempt, lastProgramPollAt: now };
  if (tooSoon) return { pace: "slow_down", paced: { ...polled, intervalMs: attempt.intervalMs + SLOW_DOWN_STEP_MS } };
  if (now < attempt.nextGitHubPollAt) return { pace: "wait", paced: polled };
  return { pace: "ask_github", paced: { ...polled, nextGitHubPollAt: now + attempt.intervalMs } };
}

async function pollHeld(attemptId: string, userAgent: string | null, deps: DevicePollDependencies): Promise<DeviceSignedIn> {
  const { clock, github, sealer, attempts, logger } = deps;
  const attempt = parseAttempt(await attempts.read(attemptId));
  if (!attempt) throw new DeviceGrantAnswer("invalid_grant");
  const now = clock.now();
  if (now >= attempt.expiresAt) throw await ended(attempts, attemptId, "expired_token");
  const { pace, paced } = paceDevicePoll(attempt, now);
  await attempts.update(attemptId, JSON.stringify(paced));
  if (pace === "slow_down") throw new DeviceGrantAnswer("slow_down", undefined, paced.intervalMs / 1000);
  if (pace === "wait") throw new DeviceGrantAnswer("authorization_pending");
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
  throw await githubSaid(deps, attemptId, paced, answer.error, answer.intervalSeconds);
}

/** GitHub's answer to a poll, as the program hears it. */
async function githubSaid(
  { attempts, clock, logger }: DevicePollDependencies,
  attemptId: string,
  attempt: DeviceAttempt,
  error: string,
  intervalSeconds: number | null,
): Promise<Error> {
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
  if (error === "expired_token" || error === "token_expired" || error === "incorrect_device_code")
    return ended(attempts, attemptId, "expired_token");
  await attempts.delete(attemptId);
  return refusedByGitHub(logger, error);
}

async function ended(
  attempts: DeviceAttempts,
  attemptId: string,
  code: "expired_token" | "access_denied",
  description?: string,
): Promise<DeviceGrantAnswer> {
  await attempts.delete(attemptId);
  return new DeviceGrantAnswer(code, description);
}

// --- The session, once GitHub gave a token -------------------------------------------------------

interface DeviceSessionDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  sealer: Sealer;
  entries: SessionEntries;
  userSessions: UserSessions;
  tokens: SessionTokens;
  audit: Audit;
}

export interface DeviceSignedIn {
  sessionToken: string;
  expiresInSeconds: number;
  user: { id: number; login: string };
}

async function startDeviceSession(tokens: TokenSet, userAgent: string | null, deps: DeviceSessionDependencies): Promise<DeviceSignedIn> {
  const { config } = deps;
  const user = await fetchSignedInUser(tokens.accessToken, deps);
  const who = { id: user.profile.id, login: user.profile.login };
  const access = await checkAllowLists(user.profile.login, tokens, deps).catch((error: unknown) => {
    if (!(error instanceof AppError) || (error.code !== "not_allowed" && error.code !== "sso_required")) throw error;
    deps.audit.signIn("not_allowed", who, undefined, "device");
    throw new DeviceGrantAnswer("access_denied", error.publicMessage);
  });
  const { idleTimeoutMs, maxAgeMs } = config.session;
  const ttlMs = Math.min(idleTimeoutMs, maxAgeMs);
  const issued = deps.tokens.issue();
  const completed = { ...user, tokens, clientType: clientTypeOf(tokens, config), access, returnTo: "/" };
  await startSession(completed, { kind: "device" }, entryUnder(deps.entries, issued.sessionId, ttlMs, userAgent), deps);
  deps.audit.signIn("success", who, undefined, "device");
  return { sessionToken: issued.token, expiresInSeconds: Math.floor(ttlMs / 1000), user: who };
}
