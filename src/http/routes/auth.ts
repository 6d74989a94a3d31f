// GET /auth/github, GET /auth/github/callback, POST /auth/logout (SPEC §3).
import type { CookieOptions, RequestHandler, Response } from "express";
import { parse as parseCookies } from "cookie";
import type { Clock } from "../../clock.js";
import type { Config } from "../../config/config.js";
import type { Sealer } from "../../sealer.js";
import { BINDING_LIFETIME_MS, type SignInAttempts } from "../../auth/sign-in-attempt.js";
import type { SignInFlow } from "../../auth/sign-in-flow.js";
import type { SessionEndings } from "../../auth/session-endings.js";
import { signedInRecordFor } from "../../auth/session-record.js";
import { alreadySignedIn } from "../../auth/sign-in-errors.js";
import { AppError } from "../../errors.js";
import type { UserSessions } from "../../store/user-sessions.js";
import { wantsJson } from "../negotiation.js";
import { noteSignedInUser } from "../request-logging.js";
import { requireSameOrigin } from "../same-origin.js";
import { regenerateSession, saveSession } from "../session-helpers.js";
import type { SessionReader } from "../signed-in-session.js";

export interface AuthRouteDependencies {
  config: Config;
  clock: Clock;
  sealer: Sealer;
  attempts: SignInAttempts;
  signInFlow: SignInFlow;
  userSessions: UserSessions;
  endings: SessionEndings;
  sessions: SessionReader;
  /** express-session, for the callback only: it creates the new session there. */
  sessionMiddleware: RequestHandler;
}

/** The handlers of the sign-in routes, by their names in the route table (route-table.ts). */
export interface SignInRouteHandlers {
  signInStart: RequestHandler;
  signInCallback: RequestHandler[];
  signOut: RequestHandler[];
}

export function signInRoutes(deps: AuthRouteDependencies): SignInRouteHandlers {
  const { config, clock, sealer, attempts, signInFlow, userSessions, endings, sessions } = deps;
  // Lax, not Strict: the callback is a top-level navigation coming back from GitHub's site.
  const bindingCookie: CookieOptions = { httpOnly: true, sameSite: "lax", secure: config.session.secureCookies, path: "/" };
  const clearEarlierAttemptCookies = (cookies: Record<string, string | undefined>, response: Response) => {
    for (const name of attempts.earlierAttemptCookies(cookies)) response.clearCookie(name, bindingCookie);
  };

  const signInStart: RequestHandler = (request, response) => {
    const cookies = parseCookies(request.headers.cookie ?? "");
    const started = signInFlow.beginSignIn(request.query.returnTo, cookies[attempts.bindingCookieName]);
    clearEarlierAttemptCookies(cookies, response);
    response.cookie(attempts.bindingCookieName, started.binding, { ...bindingCookie, maxAge: BINDING_LIFETIME_MS });
    response.redirect(302, started.authorizeUrl);
  };

  const completeSignIn: RequestHandler = async (request, response) => {
    // This URL holds the code and state: no page reached from here may learn them.
    response.setHeader("Referrer-Policy", "no-referrer");
    const cookies = parseCookies(request.headers.cookie ?? "");
    clearEarlierAttemptCookies(cookies, response);
    const completed = await signInFlow.completeSignIn(request.query, cookies[attempts.bindingCookieName]).catch(async (error: unknown) => {
      // A replayed callback (reload, back button) in a browser that is signed in: say so.
      const signedIn = error instanceof AppError && error.code === "invalid_state" ? await sessions.signedIn(request, response) : null;
      throw signedIn ? alreadySignedIn(signedIn.record.user.login) : error;
    });
    // A new session id at sign-in: an id planted or seen before sign-in is worthless after it.
    const previous = request.session.auth;
    if (previous) await userSessions.remove(previous.user.id, request.sessionID);
    await regenerateSession(request);
    const record = signedInRecordFor(completed, sealer, clock.now());
    request.session.auth = record;
    await saveSession(request);
    noteSignedInUser(response, record.user.id);
    await userSessions.add(record.user.id, request.sessionID, record.signedInAt + config.session.maxAgeMs);
    response.redirect(303, completed.returnTo);
  };

  // ?everywhere=1 ends every session of the user; ?revoke=1 also revokes at GitHub (this session's
  // token, or with everywhere the whole authorization of the app).
  const signOut: RequestHandler = async (request, response) => {
    const everywhere = isSet(request.query.everywhere);
    const session = await sessions.signedIn(request, response);
    if (session) {
      if (isSet(request.query.revoke)) await endings.revokeAtGitHub(session.record, everywhere);
      if (everywhere) await endings.endAllSessions(session.record.user.id);
      else await endings.endSession(session.sessionId, session.record);
    }
    sessions.clearCookie(response);
    if (wantsJson(request)) response.status(204).end();
    else response.redirect(303, "/");
  };

  return { signInStart, signInCallback: [deps.sessionMiddleware, completeSignIn], signOut: [requireSameOrigin(config.publicUrl), signOut] };
}

/** `?everywhere=1` (or true/yes/on); repeated or other values mean no. */
function isSet(value: unknown): boolean {
  return typeof value === "string" && ["1", "true", "yes", "on"].includes(value.toLowerCase());
}
