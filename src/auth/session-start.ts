// Starting a session, whatever kind: a browser's at the sign-in callback, a program's at device
// sign-in, an OpenID Connect grant's when a client is authorized. Each is one entry in the session
// store under an id nobody held before, indexed under its user (so sign-out everywhere, the session
// list and the revocation webhook find it). What differs is only where the id comes from and how
// the client gets it, which the caller supplies as a NewSession: express-session for browsers
// (http/express-session-adapter.ts), a session token for programs, a grant id for OpenID Connect.
// Session fixation: an id planted in a browser or seen before sign-in must be worthless after it,
// so the new session never reuses the browser's earlier id; that earlier session ends and leaves
// the user's index first.
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { Sealer } from "../sealer.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import { signedInRecordFor, type SignedInRecord } from "./session-record.js";
import type { CompletedSignIn } from "./sign-in-flow.js";

/** Where a new session is stored and how its client learns of it; the caller's part. */
export interface NewSession {
  /** The session this client held before this sign-in (a browser's earlier one), if any: it ends first. */
  earlier: { sessionId: string; userId: number } | null;
  /** Stores `record` under an id nobody held before (never overwriting an entry) and answers that id. */
  create(record: SignedInRecord): Promise<string>;
  /** The client's User-Agent header, if it sent one (shown in the session list). */
  userAgent: string | null;
}

/** What a session is beyond its sign-in: the protected host it was made for, or that it is a program's or a grant's. */
export type SessionPlacement = Pick<SignedInRecord, "host" | "kind">;

/** Enough of a User-Agent to recognise a browser; the rest is noise and Redis bytes. */
const MAX_USER_AGENT = 200;

export interface SessionStartDependencies {
  config: Config;
  clock: Clock;
  sealer: Sealer;
  userSessions: UserSessions;
}

/** Starts the session for a completed sign-in; answers its record (as stored) and its id. */
export async function startSession(
  completed: CompletedSignIn,
  placement: SessionPlacement,
  session: NewSession,
  deps: SessionStartDependencies,
): Promise<{ sessionId: string; record: SignedInRecord }> {
  const userAgent = session.userAgent?.replace(/[^\x20-\x7e]/g, "").slice(0, MAX_USER_AGENT);
  const record: SignedInRecord = {
    ...signedInRecordFor(completed, deps.sealer, deps.clock.now()),
    ...(userAgent ? { userAgent } : {}),
    ...placement,
  };
  return { sessionId: await storeNewSession(record, session, deps), record };
}

/** Stores an already made record as a new session (an OpenID Connect grant made from a browser's session). */
export async function storeNewSession(
  record: SignedInRecord,
  session: NewSession,
  { config, userSessions }: Pick<SessionStartDependencies, "config" | "userSessions">,
): Promise<string> {
  const { earlier } = session;
  if (earlier) await userSessions.remove(earlier.userId, earlier.sessionId);
  const sessionId = await session.create(record);
  if (sessionId === earlier?.sessionId) throw new Error("the new session kept the id its client had before sign-in");
  await userSessions.add(record.user.id, sessionId, record.signedInAt + config.session.maxAgeMs);
  return sessionId;
}

/** A new session stored directly under `sessionId` (fresh from the CSPRNG), living `ttlMs`: for clients without a cookie. */
export function entryUnder(entries: SessionEntries, sessionId: string, ttlMs: number, userAgent: string | null): NewSession {
  return {
    earlier: null,
    userAgent,
    async create(record) {
      if (!(await entries.create(sessionId, { auth: record }, ttlMs))) throw new Error("a new session id named an existing session");
      return sessionId;
    },
  };
}
