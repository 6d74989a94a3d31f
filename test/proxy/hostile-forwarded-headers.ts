// A client's own X-Forwarded-Host, X-Forwarded-For and X-Forwarded-Proto (and Host) sent through the
// configurations of docs/protect-an-app.md in the real proxy (SPEC §5): the proxy sets the three headers itself, so
// what reaches this server names the host the proxy served, the address it saw and its own scheme.
// The attacks this stops, each tried here: an application that sees its users' cookies (B's) using
// one on another protected host (A) or on the login host by naming B in X-Forwarded-Host, in an
// absolute-form request target or in a Host that no server block of the proxy serves; and a client
// choosing its own rate-limit bucket with X-Forwarded-For. Run with TRUST_PROXY=loopback (the proxy's
// address) and TRUST_PROXY=1 (a hop count), the two forms the documentation recommends.
import { request as httpRequest } from "node:http";
import { sessionCookies } from "../../src/http/session-cookie.js";
import { sessionIdOf, SESSION_COOKIE } from "../support/cookies.js";
import { redirectTarget, startForwardAuthStack, type ForwardAuthStack } from "./forward-auth-stack.js";
import { documentedHostBlocks, signedInOnProtectedHost, type ManyHostsProxy } from "./many-hosts-walk.js";

const FORGED_ADDRESS = "203.0.113.7";

export function describeHostileForwardedHeaders(proxy: ManyHostsProxy): void {
  for (const trustProxy of ["loopback", "1"]) {
    describe(`${proxy.name === "nginx" ? "nginx" : "Caddy"} as the documentation configures it, TRUST_PROXY=${trustProxy}: a client's own X-Forwarded-* and Host are not believed`, () => {
      let stack: ForwardAuthStack;
      let running: { stop(): Promise<void> } | undefined;
      /** Protected hosts A and B are served by the proxy; C is protected too, but served by some other proxy. */
      let A: string, B: string, LOGIN: string, hostOfB: string, hostOfC: string;
      /** B's session cookie, as B's application sees it in its users' requests, and C's (the same sign-in, as C's application would see it). */
      let cookieOfB: string, cookieOfC: string;
      /** The login host's session cookie of the same sign-in. */
      let cookieOfLogin: string;

      beforeAll(async () => {
        stack = await startForwardAuthStack(`${proxy.name}-hostile`, {
          protectedHosts: "127.0.0.2:{port},127.0.0.3:{port},127.0.0.4:{port}",
          trustProxy,
        });
        running = await proxy.start(
          proxy.configure(documentedHostBlocks(proxy.language), stack, ["127.0.0.2", "127.0.0.3"]),
          stack.proxyPort,
        );
        [A, B, LOGIN] = [`http://127.0.0.2:${stack.proxyPort}`, `http://127.0.0.3:${stack.proxyPort}`, stack.base];
        [hostOfB, hostOfC] = [`127.0.0.3:${stack.proxyPort}`, `127.0.0.4:${stack.proxyPort}`];
        const browser = await signedInOnProtectedHost(stack, B, "/");
        cookieOfB = sessionCookieIn(browser.cookieHeaderFor("127.0.0.3"));
        cookieOfLogin = sessionCookieIn(browser.cookieHeaderFor("127.0.0.1"));
        const signed = sessionCookies(stack.config).signedValue(sessionIdOf(cookieOfB), {
          host: hostOfC,
          origin: `http://${hostOfC}`,
          login: false,
        });
        cookieOfC = `${SESSION_COOKIE}=${encodeURIComponent(signed)}`;
      }, 30_000);

      afterAll(async () => {
        await running?.stop();
        await stack?.close();
      });

      test("what reaches this server names the host the proxy served, the address it saw and its scheme, whatever the client wrote", async () => {
        const forged = {
          "X-Forwarded-Host": `${hostOfB}, ${hostOfC}`,
          "X-Forwarded-For": `${FORGED_ADDRESS}, 127.0.0.9`,
          "X-Forwarded-Proto": "https",
        };
        const asked: [string, string][] = [
          [A, "/report"], // the check, asked by the proxy before the application
          [A, "/auth/check"],
          [A, "/auth/github?returnTo=/"],
          [LOGIN, "/api/me"],
          [LOGIN, "/auth/github?returnTo=/"],
        ];
        for (const [origin, path] of asked) {
          stack.loginReceived.length = 0;
          await fetch(`${origin}${path}`, { headers: { ...forged, Cookie: cookieOfB }, redirect: "manual" });
          const host = new URL(origin).host;
          const heard = stack.loginReceived.map(({ headers }) => [
            headers.host,
            headers["x-forwarded-host"],
            headers["x-forwarded-for"],
            headers["x-forwarded-proto"],
          ]);
          expect([origin, path, heard]).toEqual([origin, path, [[host, host, "127.0.0.1", "http"]]]);
        }
      });

      test("B's cookie sent to A's proxy with X-Forwarded-Host: B is not signed in on A", async () => {
        expect((await fetch(`${B}/report`, { headers: { Cookie: cookieOfB }, redirect: "manual" })).status).toBe(200); // it is B's, and good there
        stack.received.length = 0;
        const page = await fetch(`${A}/report`, { headers: { Cookie: cookieOfB, "X-Forwarded-Host": hostOfB }, redirect: "manual" });
        expect(page.status).toBe(302);
        expect(redirectTarget(page, A)).toBe("/auth/github?returnTo=/report");
        expect((await fetch(`${A}/auth/check`, { headers: { Cookie: cookieOfB, "X-Forwarded-Host": hostOfB } })).status).toBe(401);
        expect(stack.received).toEqual([]);
      });

      test("on the login host, B's cookie with X-Forwarded-Host: B is signed out: /api/me, /api/sessions, /api/github/user", async () => {
        expect((await fetch(`${LOGIN}/api/me`, { headers: { Cookie: cookieOfLogin } })).status).toBe(200); // the same sign-in, on the login host's own cookie
        for (const path of ["/api/me", "/api/sessions", "/api/github/user"]) {
          const answer = await fetch(`${LOGIN}${path}`, { headers: { Cookie: cookieOfB, "X-Forwarded-Host": hostOfB } });
          expect([path, answer.status]).toEqual([path, 401]);
        }
      });

      test("an absolute-form request target names the host: B in Host does not make a request for A (or the login host) one for B", async () => {
        stack.received.length = 0;
        const page = await rawRequest(stack.proxyPort, `${A}/report`, { Host: hostOfB, Cookie: cookieOfB });
        expect(page.status).toBe(302);
        expect(await rawRequest(stack.proxyPort, `${A}/auth/check`, { Host: hostOfB, Cookie: cookieOfB })).toMatchObject({ status: 401 });
        expect(await rawRequest(stack.proxyPort, `${LOGIN}/api/me`, { Host: hostOfB, Cookie: cookieOfB })).toMatchObject({ status: 401 });
        expect(stack.received).toEqual([]);
      });

      test("a host of ours that the proxy serves no block for (C) cannot be named in Host to borrow another host's block", async () => {
        stack.received.length = 0;
        // nginx answers from its first server block (A's), Caddy from none: either way, not as C.
        for (const path of ["/report", "/auth/check", "/api/me"]) {
          const answer = await rawRequest(stack.proxyPort, path, { Host: hostOfC, Cookie: cookieOfC });
          expect([path, answer.status]).not.toEqual([path, 204]);
          expect([path, answer.body]).not.toEqual([path, expect.stringContaining('"login":"octocat"')]);
        }
        expect(stack.received).toEqual([]);
      });

      test("a forged X-Forwarded-For does not choose the sign-in rate-limit bucket: the address the proxy saw does", async () => {
        for (const origin of [A, LOGIN]) {
          for (const forwardedFor of [FORGED_ADDRESS, `${FORGED_ADDRESS}, 198.51.100.9`, "127.0.0.5"]) {
            const start = await fetch(`${origin}/auth/github?returnTo=/`, {
              headers: { "X-Forwarded-For": forwardedFor },
              redirect: "manual",
            });
            expect(start.status).toBe(302);
          }
        }
        const buckets = (await stack.redis.keys(`${stack.config.redis.keyPrefix}rl:auth*`)).map((key) =>
          key.slice(key.lastIndexOf(":") + 1),
        );
        expect(buckets).toEqual(["127.0.0.1"]);
      });
    });
  }
}

/** The session cookie's `name=value` in a Cookie header. */
function sessionCookieIn(cookieHeader: string): string {
  const pair = cookieHeader.split("; ").find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  if (!pair) throw new Error(`no ${SESSION_COOKIE} in ${cookieHeader}`);
  return pair;
}

/**
 * A request written as no browser writes one, to 127.0.0.1:`port`: `target` is sent as it is (an
 * absolute URL gives the absolute form) with exactly these headers, Host included.
 */
function rawRequest(port: number, target: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: "127.0.0.1", port, method: "GET", path: target, headers, setHost: false }, (answer) => {
      let body = "";
      answer.setEncoding("utf8");
      answer.on("data", (chunk: string) => (body += chunk));
      answer.on("end", () => resolve({ status: answer.statusCode!, body }));
    });
    sent.once("error", reject);
    sent.end();
  });
}
