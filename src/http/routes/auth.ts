// GET /auth/github, GET /auth/github/callback, POST /auth/logout (SPEC §3).
import { Router, type CookieOptions } from "express";
import { parse as parseCookies } from "cookie";
import type { Clock } from "../../clock.js";
import type { Config } from "../../config/config.js";
import { badRequest } from "../../errors.js";
import type { Sealer } from "../../sealer.js";
import { ATTEMPT_LIFETIME_MS, type SignInAttemptCookies } from "../../auth/sign-in-attempt.js";
import type { SignInFlow } from "../../auth/sign-in-flow.js";
import { signedInRecordFor } from "../../auth/session-record.js";
import { wantsJson } from "../negotiation.js";
import { requireSameOrigin } from "../same-origin.js";
import { destroySession, regenerateSession, saveSession } from "../session-helpers.js";
import { sessionCookieOptions } from "../session-middleware.js";

export interface AuthRouteDependencies {
  config: Config;
  clock: Clock;
  sealer: Sealer;
  attempts: SignInAttemptCookies;
  signInFlow: SignInFlow;
}

export function authRoutes({ config, clock, sealer, attempts, signInFlow }: AuthRouteDependencies): Router {
  const router = Router();
  // Lax, not Strict: the callback is a top-level navigation coming back from GitHub's site.
  const attemptCookie: CookieOptions = { httpOnly: true, sameSite: "lax", secure: config.session.secureCookies, path: "/" };

  router.get("/auth/github", (request, response) => {
    const started = signInFlow.beginSignIn(request.query.returnTo, parseCookies(request.headers.cookie ?? ""));
    for (const name of started.staleCookieNames) response.clearCookie(name, attemptCookie);
    response.cookie(started.cookieName, started.cookieValue, { ...attemptCookie, maxAge: ATTEMPT_LIFETIME_MS });
    response.redirect(302, started.authorizeUrl);
  });

  router.get("/auth/github/callback", async (request, response) => {
    const state = request.query.state;
    // Whatever the outcome, this attempt is over: its cookie goes.
    if (attempts.isWellFormedState(state)) response.clearCookie(attempts.cookieNameFor(state), attemptCookie);
    const completed = await signInFlow.completeSignIn(request.query, parseCookies(request.headers.cookie ?? ""));
    // A new session id at sign-in: an id planted or seen before sign-in is worthless after it.
    await regenerateSession(request);
    request.session.auth = signedInRecordFor(completed, sealer, clock.now());
    await saveSession(request);
    response.redirect(303, completed.returnTo);
  });

  router.post("/auth/logout", requireSameOrigin(config.publicUrl), async (request, response) => {
    if (request.query.everywhere !== undefined || request.query.revoke !== undefined) {
      throw badRequest("Signing out everywhere and revoking the GitHub token are not available in this version.");
    }
    await destroySession(request);
    response.clearCookie(config.session.cookieName, sessionCookieOptions(config));
    if (wantsJson(request)) response.status(204).end();
    else response.redirect(303, "/");
  });

  return router;
}
