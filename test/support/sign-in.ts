// Walks the browser's part of the sign-in with a supertest agent (which keeps cookies):
// start at /auth/github, approve on the emulator's consent page, come back to the callback.
import type TestAgent from "supertest/lib/agent.js";
import request, { type Response } from "supertest";
import { BINDING_COOKIE, HOST_ONLY_PREFIX, sessionCookieOf, setCookie, setCookies } from "./cookies.js";
import { approveAtEmulator } from "./emulator-server.js";
import type { App } from "./stack.js";

// Where most tests found them first; cookies.ts is their home.
export { sessionCookieOf, setCookie };

export type Agent = TestAgent;

export interface SignInWalk {
  start: Response;
  authorizeUrl: URL;
  callbackUrl: URL;
  callback: Response;
}

export async function startSignIn(agent: Agent, returnTo?: string): Promise<{ start: Response; authorizeUrl: URL }> {
  const path = returnTo === undefined ? "/auth/github" : `/auth/github?returnTo=${encodeURIComponent(returnTo)}`;
  const start = await agent.get(path);
  if (start.status !== 302) throw new Error(`GET ${path} answered ${start.status}, expected 302`);
  return { start, authorizeUrl: new URL(start.headers.location!) };
}

export async function finishSignIn(agent: Agent, authorizeUrl: URL, login = "octocat", decision: "authorize" | "cancel" = "authorize") {
  const callbackUrl = await approveAtEmulator(authorizeUrl.toString(), { login, decision });
  const callback = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`);
  return { callbackUrl, callback };
}

export async function signIn(agent: Agent, options: { login?: string; returnTo?: string } = {}): Promise<SignInWalk> {
  const { start, authorizeUrl } = await startSignIn(agent, options.returnTo);
  const { callbackUrl, callback } = await finishSignIn(agent, authorizeUrl, options.login);
  return { start, authorizeUrl, callbackUrl, callback };
}

/**
 * Starts a sign-in and approves it on GitHub, stopping before the callback: for tests that tamper
 * with the callback or with GitHub before it is visited.
 */
export async function approvedSignIn(agent: Agent, login = "octocat") {
  const { start, authorizeUrl } = await startSignIn(agent);
  const callbackUrl = await approveAtEmulator(authorizeUrl.toString(), { login });
  // The browser binding every attempt of this browser is tied to.
  const attemptCookie = [BINDING_COOKIE, `${HOST_ONLY_PREFIX}${BINDING_COOKIE}`].map((name) => setCookie(start, name)).find(Boolean);
  if (!attemptCookie) throw new Error(`GET /auth/github set no ${BINDING_COOKIE} cookie: ${setCookies(start).join(" | ")}`);
  return {
    authorizeUrl,
    callbackUrl,
    callbackPath: `${callbackUrl.pathname}${callbackUrl.search}`,
    attemptCookie: attemptCookie.split(";")[0]!,
  };
}

/** Signs a fresh browser in and returns it with its session cookie. */
export async function signedInBrowser(app: App, login = "octocat") {
  const browser = request.agent(app);
  const { callback } = await signIn(browser, { login });
  if (callback.status !== 303) throw new Error(`sign-in as ${login} answered ${callback.status}, expected 303`);
  return { agent: browser, cookie: sessionCookieOf(callback) };
}
