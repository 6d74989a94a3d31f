// The end of a device sign-in, once GitHub gave a token: GET /user, the allow-lists exactly as a
// browser's sign-in applies them (a refusal is access_denied for the program, and the token is
// revoked), then a session of kind "device" named by a new session token (session-token.ts),
// indexed under the user and audited. Only the program's answer ever carries the token.
import type { Audit } from "./audit.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import { AppError } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import type { TokenSet } from "../github/token-response.js";
import type { Sealer } from "../sealer.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import { DeviceGrantAnswer } from "./device-errors.js";
import { signedInRecordFor, type SignedInRecord } from "./session-record.js";
import type { SessionTokens } from "./session-token.js";
import { checkAllowLists, clientTypeOf, fetchSignedInUser } from "./sign-in-steps.js";

/** Enough of a User-Agent to recognise a program; the rest is noise and Redis bytes. */
const MAX_USER_AGENT = 200;

export interface DeviceSessionDependencies {
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

export async function startDeviceSession(tokens: TokenSet, userAgent: string | null, deps: DeviceSessionDependencies): Promise<DeviceSignedIn> {
  const { config, clock } = deps;
  const user = await fetchSignedInUser(tokens.accessToken, deps);
  const who = { id: user.profile.id, login: user.profile.login };
  const access = await checkAllowLists(user.profile.login, tokens, deps).catch((error: unknown) => {
    if (!(error instanceof AppError) || (error.code !== "not_allowed" && error.code !== "sso_required")) throw error;
    deps.audit.signIn("not_allowed", who, undefined, "device");
    throw new DeviceGrantAnswer("access_denied", error.publicMessage);
  });
  const now = clock.now();
  const shortAgent = userAgent?.replace(/[^\x20-\x7e]/g, "").slice(0, MAX_USER_AGENT);
  const record: SignedInRecord = {
    ...signedInRecordFor({ ...user, tokens, clientType: clientTypeOf(tokens, config), access, returnTo: "/" }, deps.sealer, now),
    ...(shortAgent ? { userAgent: shortAgent } : {}),
    kind: "device",
  };
  const { idleTimeoutMs, maxAgeMs } = config.session;
  const ttlMs = Math.min(idleTimeoutMs, maxAgeMs);
  const issued = deps.tokens.issue();
  if (!(await deps.entries.create(issued.sessionId, { auth: record }, ttlMs))) throw new Error("a new session token named an existing session");
  await deps.userSessions.add(who.id, issued.sessionId, now + maxAgeMs);
  deps.audit.signIn("success", who, undefined, "device");
  return { sessionToken: issued.token, expiresInSeconds: Math.floor(ttlMs / 1000), user: who };
}
