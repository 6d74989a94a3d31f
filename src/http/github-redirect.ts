// The first leg of every sign-in on the login host: a new attempt bound to this browser (its
// binding cookie set or renewed, leftovers of earlier versions' cookies cleared) and a redirect
// to GitHub's authorize page. GET /auth/github and the handoff's sign-in-first step both end here.
import type { Request, Response } from "express";
import { parse as parseCookies } from "cookie";
import type { SignInFlow, SignInOptions } from "../auth/sign-in-flow.js";
import type { AuthorizePrompt } from "../github/authorize-url.js";
import type { ServerCookies } from "./cookies.js";

export function redirectToGitHub(
  signInFlow: SignInFlow,
  cookies: ServerCookies,
  request: Request,
  response: Response,
  returnTo: unknown,
  options: SignInOptions = {},
): void {
  const received = parseCookies(request.headers.cookie ?? "");
  const started = signInFlow.beginSignIn(returnTo, received[cookies.binding.name], options);
  cookies.setBinding(response, started.binding);
  response.redirect(302, started.authorizeUrl);
}

/**
 * `?prompt=select_account` ("use another account"): the one value GitHub knows. Anything else —
 * another value, a repeated or nested parameter — is no prompt, as GitHub ignores what it does not know.
 */
export function promptOf(value: unknown): AuthorizePrompt | null {
  return value === "select_account" ? value : null;
}

/** The browser binding cookie this request carried on its host, if any. */
export function bindingOf(cookies: ServerCookies, request: Request): string | undefined {
  return parseCookies(request.headers.cookie ?? "")[cookies.binding.name];
}
