// The last steps of a sign-in: seal the tokens into the session record, start a session under a
// new id, and index it under the user (so sign-out everywhere and the revocation webhook find it).
// Session fixation: an id planted in the browser or seen before sign-in must be worthless after
// it, so the session that holds the tokens never reuses the browser's earlier id; that earlier
// session ends and leaves the user's index first.
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { Sealer } from "../sealer.js";
import type { UserSessions } from "../store/user-sessions.js";
import { signedInRecordFor, type SignedInRecord } from "./session-record.js";
import type { CompletedSignIn } from "./sign-in-flow.js";

/**
 * How the request being answered starts a session; the route supplies it (express-session there),
 * so the pipeline stays free of HTTP.
 */
export interface SessionStarter {
  /** The session this browser held before this sign-in, if any. */
  earlierSession(): { sessionId: string; userId: number } | null;
  /** Ends the earlier session and stores `record` under a new session id, which it answers. */
  startSession(record: SignedInRecord): Promise<string>;
  /** The client's User-Agent header, if it sent one. */
  userAgent: string | null;
}

/** Enough of a User-Agent to recognise a browser; the rest is noise and Redis bytes. */
const MAX_USER_AGENT = 200;

export interface SignInSessionDependencies {
  config: Config;
  clock: Clock;
  sealer: Sealer;
  userSessions: UserSessions;
}

export async function startSignedInSession(completed: CompletedSignIn, session: SessionStarter, deps: SignInSessionDependencies): Promise<SignedInRecord> {
  const { config, clock, sealer, userSessions } = deps;
  const earlier = session.earlierSession();
  if (earlier) await userSessions.remove(earlier.userId, earlier.sessionId);
  const userAgent = session.userAgent?.replace(/[^\x20-\x7e]/g, "").slice(0, MAX_USER_AGENT);
  const host = completed.forHost ? { host: completed.forHost } : {};
  const record = { ...signedInRecordFor(completed, sealer, clock.now()), ...(userAgent ? { userAgent } : {}), ...host };
  const sessionId = await session.startSession(record);
  if (sessionId === earlier?.sessionId) throw new Error("the signed-in session kept the id the browser had before sign-in");
  await userSessions.add(record.user.id, sessionId, record.signedInAt + config.session.maxAgeMs);
  return record;
}
