// How the sign-in callback (the one route where express-session runs) starts a session for the
// sign-in pipeline (auth/sign-in-completion.ts): regenerate, so the signed-in session never keeps an
// id the browser held before (session fixation), then save. A store outage becomes a 503.
import type { Request, Response } from "express";
import type { SessionStarter } from "../auth/sign-in-flow.js";
import { sessionStoreUnavailable } from "../errors.js";
import { noteSignedInUser } from "./request-logging.js";
import { sessionGeneratedThisRequest } from "./session-middleware.js";

function settle(resolve: () => void, reject: (error: unknown) => void) {
  return (error?: unknown) => (error ? reject(sessionStoreUnavailable(error)) : resolve());
}

const regenerateSession = (request: Request) => new Promise<void>((resolve, reject) => request.session.regenerate(settle(resolve, reject)));

const saveSession = (request: Request) => new Promise<void>((resolve, reject) => request.session.save(settle(resolve, reject)));

export function expressSessionStarter(request: Request, response: Response): SessionStarter {
  return {
    userAgent: request.get("user-agent") ?? null,
    earlierSession() {
      const earlier = request.session.auth;
      return earlier ? { sessionId: request.sessionID, userId: earlier.user.id } : null;
    },
    async startSession(record) {
      // A session generated in this request already has an id no browser has seen. Regenerating it
      // anyway would delete an entry that does not exist, draw a second id, and leave express-session
      // saving the entry once more as the request ends (its save bookkeeping is per loaded session).
      if (!sessionGeneratedThisRequest(request)) await regenerateSession(request);
      request.session.auth = record;
      await saveSession(request);
      noteSignedInUser(response, record.user.id);
      return request.sessionID;
    },
  };
}
