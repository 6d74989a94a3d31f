// GET /auth/handoff/start (login host) and GET /auth/handoff (protected hosts): the two legs of
// handing a sign-in to another host (auth/handoff-flow.ts, SPEC §6). Both URLs carry a sealed
// value that must reach no other site, so neither page sends a Referer.
import type { Request, RequestHandler, Response } from "express";
import type { HandoffFlow } from "../../auth/handoff-flow.js";
import type { SignInFlow } from "../../auth/sign-in-flow.js";
import type { Config } from "../../config/config.js";
import { notFound } from "../../errors.js";
import type { AllowedSessions } from "../allowed-session.js";
import { serverCookies } from "../cookies.js";
import { noteSignIn } from "../error-outcomes.js";
import { bindingOf, promptOf, redirectToGitHub } from "../github-redirect.js";
import type { HostResolver } from "../request-host.js";
import { reusableBrowserSession } from "../reusable-session.js";
import type { SessionReader } from "../session-reader.js";

export interface HandoffRouteDependencies {
  config: Config;
  hosts: HostResolver;
  handoff: HandoffFlow;
  signInFlow: SignInFlow;
  allowed: AllowedSessions;
  sessions: SessionReader;
}

export function handoffRoutes(deps: HandoffRouteDependencies) {
  const { hosts, handoff, allowed } = deps;
  const cookies = serverCookies(deps.config.session.secureCookies);
  const noReferrer = (response: Response) => response.setHeader("Referrer-Policy", "no-referrer");

  const handoffStart: RequestHandler = async (request: Request, response: Response) => {
    noReferrer(response);
    if (!hosts.of(request)?.login) throw notFound();
    const prompt = promptOf(request.query.prompt);
    // "Use another account" asks GitHub whatever this browser's session is, so it is not even read.
    // Otherwise only a browser's own session, allowed now, is handed on (reusable-session.ts).
    const session = prompt === null ? await reusableBrowserSession(allowed, request, response) : null;
    const outcome = handoff.issue(request.query.request, session?.sessionId ?? null, prompt);
    if ("ticketUrl" in outcome) response.redirect(303, outcome.ticketUrl);
    else
      redirectToGitHub(deps.signInFlow, cookies, request, response, outcome.signInFirst, {
        prompt: outcome.prompt,
        forHost: outcome.forHost,
      });
  };

  const handoffRedeem: RequestHandler = async (request: Request, response: Response) => {
    noReferrer(response);
    const host = hosts.of(request);
    if (!host || host.login) throw notFound();
    const redeemed = await handoff.redeem(request.query.ticket, host, bindingOf(cookies, request));
    deps.sessions.setCookie(response, redeemed.sessionId, host, redeemed.expiresInMs);
    noteSignIn(response, redeemed.user);
    response.redirect(303, redeemed.returnTo);
  };

  return { handoffStart, handoffRedeem };
}
