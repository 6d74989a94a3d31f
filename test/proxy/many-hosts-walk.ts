// A browser's walk through a many-host sign-in behind a real proxy (SPEC §6): a signed-out visit to
// a page on a protected host goes to that host's sign-in, to the login host, to GitHub, back to the
// login host, to the protected host's handoff, and ends on exactly the page, signed in there; the
// application then gets the user. Cookies are kept per host name, as a browser keeps host-only ones.
import { approveAtEmulator } from "../support/emulator-server.js";
import { documentedBlocks, PROXY_DOCUMENTATION } from "../support/proxy-process.js";
import { startForwardAuthStack, type ForwardAuthStack } from "./forward-auth-stack.js";

/** What a test file supplies for its proxy: a configuration made from the documented blocks, and how to run it. */
export interface ManyHostsProxy {
  name: "nginx" | "caddy";
  language: "nginx" | "caddyfile";
  /**
   * The documented application block (nginx or Caddy), once for each of `appHosts` (loopback
   * addresses such as 127.0.0.2), and its login-host block (Many apps) for 127.0.0.1, made to run on
   * this stack's ports, in that order.
   */
  configure(blocks: { app: string; login: string }, stack: ForwardAuthStack, appHosts: string[]): string;
  start(configuration: string, port: number): Promise<{ stop(): Promise<void> }>;
}

/** The documented application block (nginx or Caddy) and login-host block (Many apps on many hosts) for `proxy`'s language. */
export function documentedHostBlocks(language: ManyHostsProxy["language"]): { app: string; login: string } {
  const [app, , login] = documentedBlocks(language);
  if (!app || !login)
    throw new Error(`${PROXY_DOCUMENTATION} has not the \`\`\`${language} blocks of the application and of Many apps on many hosts`);
  return { app, login };
}

/**
 * The many-host walk behind a proxy configured as the documentation's Many apps section says: a stack whose
 * protected host is 127.0.0.2, the proxy in front of both hosts, a signed-out visit to
 * /report?a=1&b=2 on the protected host ending on exactly that address, signed in there.
 */
export function describeManyHostsBehind(proxy: ManyHostsProxy): void {
  describe(`${proxy.name === "nginx" ? "nginx" : "Caddy"} in front of a login host and a protected host, as the documentation's Many apps configures them`, () => {
    let stack: ForwardAuthStack;
    let running: { stop(): Promise<void> } | undefined;

    beforeAll(async () => {
      stack = await startForwardAuthStack(`${proxy.name}-hosts`, { protectedHosts: "127.0.0.2:{port}" });
      running = await proxy.start(proxy.configure(documentedHostBlocks(proxy.language), stack, ["127.0.0.2"]), stack.proxyPort);
    }, 30_000);

    afterAll(async () => {
      await running?.stop();
      await stack?.close();
    });

    test("a signed-out visit to /report?a=1&b=2 on the protected host ends on exactly that address, signed in there", async () => {
      await signInOnProtectedHost(stack, `http://127.0.0.2:${stack.proxyPort}`, "/report?a=1&b=2");
    });
  });
}

export class HostCookieClient {
  private readonly jars = new Map<string, Map<string, string>>();

  /** The Cookie header this browser sends to `hostname`. */
  cookieHeaderFor(hostname: string): string {
    return [...(this.jars.get(hostname) ?? [])].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const { hostname } = new URL(url);
    const jar = this.jars.get(hostname) ?? new Map<string, string>();
    this.jars.set(hostname, jar);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const name = pair!.slice(0, pair!.indexOf("="));
      const value = pair!.slice(name.length + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** Follows one redirect: the next URL, absolute. */
  async follow(response: Response, from: string, status: number): Promise<string> {
    expect([from, response.status]).toEqual([from, status]);
    return new URL(response.headers.get("location")!, from).toString();
  }
}

/**
 * Signs in on `appBase` for `page` (which has a query) through the proxy, checks each address the
 * browser is sent to, that the application then gets the user, and that signing out there ends it all.
 */
export async function signInOnProtectedHost(stack: ForwardAuthStack, appBase: string, page: string): Promise<void> {
  const browser = await signedInOnProtectedHost(stack, appBase, page);
  // Signing out on the protected host ends the sign-in on the login host too.
  expect((await browser.fetch(`${stack.base}/api/me`)).status).toBe(200);
  expect((await browser.fetch(`${appBase}/auth/logout`, { method: "POST", headers: { Origin: appBase } })).status).toBe(303);
  expect((await browser.fetch(`${stack.base}/api/me`)).status).toBe(401);
  expect((await browser.fetch(`${appBase}${page}`)).status).toBe(302);
}

/** The browser of a walk through the sign-in on `appBase` for `page`, checked step by step, signed in there and on the login host. */
export async function signedInOnProtectedHost(
  stack: ForwardAuthStack,
  appBase: string,
  page: string,
  login = "octocat",
): Promise<HostCookieClient> {
  const browser = new HostCookieClient();
  const visited: string[] = [];
  const go = async (url: string, status: number) => {
    visited.push(url);
    return browser.follow(await browser.fetch(url), url, status);
  };
  const signInUrl = await go(`${appBase}${page}`, 302);
  const toLogin = await go(signInUrl, 302);
  const toGitHub = await go(toLogin, 302);
  const callbackUrl = (await approveAtEmulator(toGitHub, { login })).toString();
  const backToHandoff = await go(callbackUrl, 303);
  const ticketUrl = await go(backToHandoff, 303);
  const landing = await go(ticketUrl, 303);
  visited.push(landing);
  const loginOrigin = stack.base;
  expect(stepsOf(visited)).toEqual([
    `${appBase}${page}`,
    `${appBase}/auth/github`,
    `${loginOrigin}/auth/handoff/start`,
    `${loginOrigin}/auth/github/callback`,
    `${loginOrigin}/auth/handoff/start`,
    `${appBase}/auth/handoff`,
    `${appBase}${page}`,
  ]);
  stack.received.length = 0;
  const application = await browser.fetch(landing);
  expect(application.status).toBe(200);
  expect(stack.received.map((request) => [request.path, request.headers["x-auth-request-user"]])).toEqual([[page, login]]);
  return browser;
}

/** The walk's addresses as origin and path, with the query only on the page itself. */
function stepsOf(visited: string[]): string[] {
  return visited.map((url) => {
    const { origin, pathname, search } = new URL(url);
    return `${origin}${pathname}${pathname.startsWith("/auth/") ? "" : search}`;
  });
}
