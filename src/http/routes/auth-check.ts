// GET /auth/check: the question a reverse proxy asks before passing a request on (nginx
// auth_request, Traefik forwardAuth, Caddy forward_auth). 204 with who is signed in, or 401. It is
// asked on every proxied request, so it costs one session read and never waits for GitHub: it
// answers from the profile and access decision cached with the session, and a revalidation that is
// due runs in the background (auth/access-gate.ts). Signed in but no longer allowed → 403.
import type { RequestHandler } from "express";
import { unauthenticated } from "../../errors.js";
import type { AllowedSessions } from "../allowed-session.js";

/** Printable ASCII only: a header value must never carry a line break or other control. */
const HEADER_SAFE = /^[\x20-\x7e]{1,320}$/;

export function authCheck(sessions: AllowedSessions): RequestHandler {
  return async (request, response) => {
    const session = await sessions.allowed(request, response);
    if (!session) throw unauthenticated();
    const { user } = session.record;
    response.setHeader("X-Auth-Request-User", user.login);
    response.setHeader("X-Auth-Request-User-Id", String(user.id));
    if (user.email && HEADER_SAFE.test(user.email)) response.setHeader("X-Auth-Request-Email", user.email);
    response.status(204).end();
  };
}
