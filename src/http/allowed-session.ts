// The session a route may serve: signed in (session-reader.ts) and, right now, allowed by the
// allow-lists (auth/access-gate.ts). Every route that acts for the user asks here; sign-out asks
// only whether there is a session, so that a refused user can still end it.
import type { Request, Response } from "express";
import type { AccessGate, AdmitOptions } from "../auth/access-gate.js";
import type { NamedSession, SessionReader, SignedInSession } from "./session-reader.js";

export interface AllowedSessions {
  /** The request's session, null when signed out; throws not_allowed (403) for a refused user. */
  allowed(request: Request, response: Response, options?: AdmitOptions): Promise<SignedInSession | null>;
  /**
   * For the read paths answered before Express (read-paths-first.ts): the session `allowed` would
   * answer for what lookUp() read, when it would answer it with no write, no wait and no refusal;
   * null when anything more is due, which `allowed` then does.
   */
  allowedAtOnce(named: NamedSession, options?: AdmitOptions): SignedInSession | null;
}

export function allowedSessions(sessions: SessionReader, gate: AccessGate): AllowedSessions {
  return {
    async allowed(request, response, options) {
      const session = await sessions.signedIn(request, response);
      if (!session) return null;
      return { ...session, record: await gate.admit(session.sessionId, session.record, options) };
    },
    allowedAtOnce(named, options) {
      const session = sessions.asReadWithoutWrites(named);
      return session && gate.admitsAsIs(session.record, options) ? session : null;
    },
  };
}
