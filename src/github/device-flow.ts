// GitHub's device flow, from the server's side: POST /login/device/code for a device code and a
// user code, and POST /login/oauth/access_token with the device_code grant to poll. GitHub answers
// both with HTTP 200 and an `error` until there is a token, and slow_down carries the new interval,
// so polls come back as an outcome, never as an exception (only an unreachable GitHub throws).
import type { GitHubContext } from "./github-call.js";
import { GitHubOAuthError, GitHubUnavailableError } from "./errors.js";
import { readTokenResponse, type TokenSet } from "./token-response.js";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface DeviceCodes {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

export type DevicePoll = { outcome: "tokens"; tokens: TokenSet } | { outcome: "error"; error: string; intervalSeconds: number | null };

const CODE_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
const USER_CODE_PATTERN = /^[A-Z0-9-]{4,16}$/;

/** Throws GitHubOAuthError when GitHub refuses (device_flow_disabled, incorrect_client_credentials). */
export async function requestDeviceCode({ config, call }: GitHubContext): Promise<DeviceCodes> {
  const answer = await call("POST /login/device/code", {
    baseUrl: config.serverBaseUrl,
    headers: { accept: "application/json" },
    client_id: config.clientId,
    // GitHub Apps ignore scopes, as in the web flow.
    ...(config.clientType === "github-app" ? {} : { scope: config.scopes.join(" ") }),
  });
  const fields = fieldsOf(answer.status, answer.data, "device code endpoint");
  if (typeof fields.error === "string")
    throw new GitHubOAuthError(fields.error, typeof fields.error_description === "string" ? fields.error_description : "");
  const { device_code: deviceCode, user_code: userCode, verification_uri: verificationUri } = fields;
  if (
    typeof deviceCode !== "string" ||
    !CODE_PATTERN.test(deviceCode) ||
    typeof userCode !== "string" ||
    !USER_CODE_PATTERN.test(userCode)
  ) {
    throw new GitHubUnavailableError("device code endpoint answered without usable codes");
  }
  if (typeof verificationUri !== "string" || !URL.canParse(verificationUri))
    throw new GitHubUnavailableError("device code endpoint answered without a verification_uri");
  return {
    deviceCode,
    userCode,
    // In demo mode the server reaches the emulator at another address than browsers do.
    verificationUri: verificationUri.startsWith(`${config.serverBaseUrl}/`)
      ? `${config.baseUrl}${verificationUri.slice(config.serverBaseUrl.length)}`
      : verificationUri,
    expiresInSeconds: positiveSeconds(fields.expires_in) ?? 900,
    intervalSeconds: positiveSeconds(fields.interval) ?? 5,
  };
}

export async function pollDeviceToken({ config, clock, call }: GitHubContext, deviceCode: string): Promise<DevicePoll> {
  const answer = await call("POST /login/oauth/access_token", {
    baseUrl: config.serverBaseUrl,
    headers: { accept: "application/json" },
    client_id: config.clientId,
    // Not needed for the device flow; sent so a refresh of the token it yields works the same way.
    client_secret: config.clientSecret,
    device_code: deviceCode,
    grant_type: DEVICE_CODE_GRANT,
  });
  const fields = fieldsOf(answer.status, answer.data, "token endpoint");
  if (typeof fields.error === "string") return { outcome: "error", error: fields.error, intervalSeconds: positiveSeconds(fields.interval) };
  const githubTime = Date.parse(String(answer.headers.date ?? ""));
  return { outcome: "tokens", tokens: readTokenResponse(fields, Number.isFinite(githubTime) ? githubTime : clock.now()) };
}

function fieldsOf(status: number, data: unknown, what: string): Record<string, unknown> {
  if (status !== 200 || typeof data !== "object" || data === null)
    throw new GitHubUnavailableError(`${what}: HTTP ${status} without a JSON object`);
  return data as Record<string, unknown>;
}

function positiveSeconds(value: unknown): number | null {
  const seconds = typeof value === "string" ? Number(value) : value;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 && seconds <= 3600 ? Math.ceil(seconds) : null;
}
