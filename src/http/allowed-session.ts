// The session a route may serve: signed in (signed-in-session.ts) and, right now, allowed by the
// allow-lists (auth/access-gate.ts). Every route that acts for the user asks here; sign-out asks
// only whether there is a session, so that a refused user can still end it.
import type { Request, Response } from "express";
import type { AccessGate, AdmitOptions } from "../auth/access-gate.js";
import type { SessionReader, SignedInSession } from "./signed-in-session.js";

export interface AllowedSessions {
  /** The request's session, null when signed out; throws not_allowed (403) for a refused user. */
  allowed(request: Request, response: Response, options?: AdmitOptions): Promise<SignedInSession | null>;
}

export function allowedSessions(sessions: SessionReader, gate: AccessGate): AllowedSessions {
  return {
    async allowed(request, response, options) {
      const session = await sessions.signedIn(request, response);
      if (!session) return null;
      return { ...session, record: await gate.admit(session.sessionId, session.record, options) };
    },
  };
}
