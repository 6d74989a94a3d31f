// The session a route may serve: signed in (session-reader.ts) and, right now, allowed by the
// allow-lists and the route's rule (auth/access-gate.ts, its one admit). Every route that acts for
// the user asks here, whatever answers it (Express, or the read paths on node:http); sign-out asks
// only whether there is a session, so that a refused user can still end it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AccessGate, AdmitOptions } from "../auth/access-gate.js";
import type { SessionReader, SignedInSession } from "./session-reader.js";

export interface AllowedSessions {
  /** The request's session, null when signed out; throws not_allowed (403), access_unconfirmed (503)… for a user the gate refuses. */
  allowed(request: IncomingMessage, response: ServerResponse, options?: AdmitOptions): Promise<SignedInSession | null>;
}

export function allowedSessions(sessions: SessionReader, gate: Pick<AccessGate, "admit">): AllowedSessions {
  return {
    async allowed(request, response, options) {
      const session = await sessions.signedIn(request, response);
      if (!session) return null;
      const record = await gate.admit(session.sessionId, session.record, options);
      return record === session.record ? session : { ...session, record };
    },
  };
}
