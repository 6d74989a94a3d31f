// A user's own sessions (SPEC §8): what each one is (kind, host, browser, created, last seen) and
// a way to end any of them — the one on a lost laptop — from any other. Sessions are named by an
// opaque handle, a keyed hash of the session id, so a list shown in a page or sent to a program
// never carries a session id that could be replayed as a cookie.
import { createHmac } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import type { SessionEndings } from "./session-endings.js";
import { sessionKindOf, type SignedInRecord } from "./session-record.js";

/** At most this many sessions are listed: the index keeps every sign-in of SESSION_MAX_AGE. */
const MAX_LISTED = 100;

export interface SessionSummary {
  id: string;
  current: boolean;
  kind: "browser" | "device" | "oidc";
  /** For an OpenID Connect grant (kind "oidc"): the client it was made for. */
  clientId?: string;
  createdAt: string;
  /** Approximate: the idle expiry moves in steps of at most a minute (1 % of SESSION_IDLE_TIMEOUT when smaller). */
  lastSeenAt: string;
  userAgent: string | null;
  host: string;
}

export interface SessionListDependencies {
  config: Config;
  clock: Clock;
  entries: SessionEntries;
  userSessions: UserSessions;
  endings: SessionEndings;
}

interface Found {
  sessionId: string;
  record: SignedInRecord;
  expiresInMs: number;
}

export function createSessionList(deps: SessionListDependencies) {
  const handleKey = `session-handle\0${deps.config.session.secrets[0]}`;
  const handleOf = (sessionId: string) => createHmac("sha256", handleKey).update(sessionId).digest("base64url").slice(0, 22);
  const loginHost = new URL(deps.config.publicUrl).host;

  /** The user's live sessions, newest first. */
  async function sessionsOf(userId: number): Promise<Found[]> {
    const sessionIds = (await deps.userSessions.list(userId)).slice(-MAX_LISTED);
    const found = await Promise.all(sessionIds.map((sessionId) => deps.entries.readWithExpiry(sessionId)));
    return found
      .map((read, index) => ({ sessionId: sessionIds[index]!, record: read?.entry.data.auth, expiresInMs: read?.expiresInMs ?? 0 }))
      .filter((session): session is Found => session.record?.user.id === userId)
      .sort((a, b) => b.record.signedInAt - a.record.signedInAt);
  }

  function summary({ sessionId, record, expiresInMs }: Found, currentSessionId: string): SessionSummary {
    const lastSeenAt = lastUse(record, expiresInMs, deps.clock.now(), deps.config.session);
    return {
      id: handleOf(sessionId),
      current: sessionId === currentSessionId,
      kind: sessionKindOf(record),
      ...(record.oidc ? { clientId: record.oidc.clientId } : {}),
      createdAt: new Date(record.signedInAt).toISOString(),
      lastSeenAt: new Date(lastSeenAt).toISOString(),
      userAgent: record.userAgent ?? null,
      // Where it was signed in: a protected host's when the sign-in was made for one (the hosts it
      // was handed to later share the session, and its ending, but did not sign it in).
      host: record.host ?? loginHost,
    };
  }

  return {
    async list(userId: number, currentSessionId: string): Promise<SessionSummary[]> {
      return (await sessionsOf(userId)).map((session) => summary(session, currentSessionId));
    },
    /** Ends the user's session with this handle; false when the user has none by that handle. */
    async end(userId: number, handle: string): Promise<{ ended: boolean; sessionId: string | null }> {
      const session = (await sessionsOf(userId)).find(({ sessionId }) => handleOf(sessionId) === handle);
      if (!session) return { ended: false, sessionId: null };
      await deps.endings.signOut(session.sessionId, session.record, "other_session");
      return { ended: true, sessionId: session.sessionId };
    },
    /** An operator ends every session of the user (cli.js sessions end); `revoke` also revokes the app's authorization at GitHub. */
    async endAll(userId: number, revoke: boolean): Promise<number> {
      const sessions = await sessionsOf(userId);
      if (revoke && sessions[0]) await deps.endings.revokeAtGitHub(sessions[0].record, true);
      for (const { sessionId, record } of sessions) await deps.endings.endSession(sessionId, record, "operator");
      return sessions.length;
    },
    /** Ends every session of the user but the current one; how many. */
    async endOthers(userId: number, currentSessionId: string): Promise<number> {
      const others = (await sessionsOf(userId)).filter(({ sessionId }) => sessionId !== currentSessionId);
      for (const { sessionId, record } of others) await deps.endings.signOut(sessionId, record, "other_session");
      return others.length;
    },
  };
}

export type SessionList = ReturnType<typeof createSessionList>;

/** When a session was last used, from its remaining lifetime: the expiry was last slid to min(idle timeout, what SESSION_MAX_AGE left). */
function lastUse(
  record: SignedInRecord,
  expiresInMs: number,
  now: number,
  { idleTimeoutMs, maxAgeMs }: { idleTimeoutMs: number; maxAgeMs: number },
): number {
  const slidTo = Math.min(idleTimeoutMs, record.signedInAt + maxAgeMs - now + expiresInMs);
  return Math.min(now, Math.max(record.signedInAt, now - (slidTo - expiresInMs)));
}
