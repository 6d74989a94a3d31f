// GET /auth/github, GET /auth/github/callback, POST /auth/logout (SPEC §3). These handlers only
// translate HTTP (cookies, query, redirects); the sign-in itself, from the state check to the
// indexed session, is auth/sign-in-flow.ts, and no token passes through here. On a protected host
// (SPEC §6) /auth/github hands the sign-in over to the login host (auth/handoff-flow.ts); the
// callback, GitHub's only redirect, is the login host's alone. A browser signed in and allowed
// signs in again without GitHub (reusable-session.ts) unless it asks for GitHub's account picker;
// signing out lands on the login host's signed-out page, never where a sign-in starts again.
import type { Request, RequestHandler, Response } from "express";
import { parse as parseCookies } from "cookie";
import type { Config } from "../../config/config.js";
import type { RefusalAnswer, SignInFlow } from "../../auth/sign-in-flow.js";
import { destinationOf, type HandoffFlow } from "../../auth/handoff-flow.js";
import type { SessionEndings } from "../../auth/session-endings.js";
import { alreadySignedIn } from "../../auth/sign-in-errors.js";
import { AppError, notFound } from "../../errors.js";
import { signedOutLocation } from "./home.js";
import type { AllowedSessions } from "../allowed-session.js";
import { serverCookies } from "../cookies.js";
import { noteSignIn } from "../error-outcomes.js";
import { bindingOf, promptOf, redirectToGitHub } from "../github-redirect.js";
import { wantsJson } from "../negotiation.js";
import { reusableBrowserSession } from "../reusable-session.js";
import { requireSameOrigin } from "../same-origin.js";
import type { HostResolver } from "../request-host.js";
import { browserSession } from "../express-session-adapter.js";
import type { SessionReader } from "../session-reader.js";

export interface AuthRouteDependencies {
  config: Config;
  signInFlow: SignInFlow;
  endings: SessionEndings;
  sessions: SessionReader;
  allowed: AllowedSessions;
  hosts: HostResolver;
  handoff: HandoffFlow;
  /** express-session, for the callback only: it starts the new session there (session-middleware.ts). */
  sessionMiddleware: RequestHandler;
  /** The OpenID Connect provider, when there is one: a refused sign-in on its way to an authorization leads back to it. */
  oidc?: { answerRefusedSignIn: RefusalAnswer } | null;
}

/** The handlers of the sign-in routes, by their names in the route table (route-table.ts). */
export interface SignInRouteHandlers {
  signInStart: RequestHandler;
  signInCallback: RequestHandler[];
  signOut: RequestHandler[];
}

export function signInRoutes(deps: AuthRouteDependencies): SignInRouteHandlers {
  const { config, signInFlow, endings, sessions, hosts } = deps;
  const cookies = serverCookies(config.session.secureCookies);

  const signInStart: RequestHandler = async (request, response) => {
    // The host gate (host-gate.ts) lets only the login host and protected hosts this far.
    const host = hosts.of(request)!;
    const prompt = promptOf(request.query.prompt);
    if (!host.login) {
      const started = deps.handoff.start(host, request.query.returnTo, bindingOf(cookies, request), prompt);
      cookies.setBinding(response, started.binding);
      return void response.redirect(302, started.location);
    }
    const returnTo = signInFlow.returnToOf(request.query.returnTo);
    // Signed in here and allowed: straight on, no GitHub. Every sign-in costs one of the user's ten
    // GitHub tokens for this app, and an eleventh silently revokes the oldest (a CLI's, say).
    if (prompt === null && (await reusableBrowserSession(deps.allowed, request, response)))
      return void response.redirect(302, destinationOf(returnTo));
    redirectToGitHub(signInFlow, cookies, request, response, returnTo, { prompt });
  };

  /** A replayed callback (reload, back button) in a browser that is signed in: say so. */
  const sayWhenAlreadySignedIn =
    (request: Request, response: Response) =>
    async (error: unknown): Promise<never> => {
      const signedIn = error instanceof AppError && error.code === "invalid_state" ? await sessions.signedIn(request, response) : null;
      throw signedIn ? alreadySignedIn(signedIn.record.user.login) : error;
    };

  const completeSignIn: RequestHandler = async (request, response) => {
    // This URL holds the code and state: no page reached from here may learn them.
    response.setHeader("Referrer-Policy", "no-referrer");
    if (!hosts.of(request)?.login) throw notFound();
    const received = parseCookies(request.headers.cookie ?? "");
    const signedIn = await signInFlow
      .completeSignIn(request.query, received[cookies.binding.name], browserSession(request, response), deps.oidc?.answerRefusedSignIn)
      .catch(sayWhenAlreadySignedIn(request, response));
    noteSignIn(response, { id: signedIn.userId, login: signedIn.login });
    response.redirect(303, destinationOf(signedIn.returnTo));
  };

  // ?everywhere=1 ends every session of the user; ?revoke=1 also revokes at GitHub (this session's
  // token, or with everywhere the whole authorization of the app).
  const signOut: RequestHandler = async (request, response) => {
    const everywhere = isSet(request.query.everywhere);
    const session = await sessions.signedIn(request, response);
    if (session) {
      if (isSet(request.query.revoke)) await endings.revokeAtGitHub(session.record, everywhere);
      await endings.signOut(session.sessionId, session.record, everywhere ? "everywhere" : "this_session");
    }
    // A program signing out with its session token has no cookie to clear and no page to go to.
    if (session?.credential === "bearer") return void response.status(204).end();
    sessions.clearCookie(response);
    if (wantsJson(request)) response.status(204).end();
    else response.redirect(303, signedOutLocation(config.publicUrl, hosts.of(request)));
  };

  return { signInStart, signInCallback: [deps.sessionMiddleware, completeSignIn], signOut: [requireSameOrigin(hosts), signOut] };
}

/** `?everywhere=1` (or true/yes/on); repeated or other values mean no. */
function isSet(value: unknown): boolean {
  return typeof value === "string" && ["1", "true", "yes", "on"].includes(value.toLowerCase());
}
