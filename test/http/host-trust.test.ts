// The host a request is for, behind a trusted proxy (TRUST_PROXY=loopback), through the real app
// (src/http/host-reading.ts, host-gate.ts). An application sees its users' cookies for its own
// host (b.test); a request that names its host in two ways is refused, never read as the host the
// cookie was made for: an X-Forwarded-Host holding several hosts (400), Host naming one host of
// ours and X-Forwarded-Host another (421), more than one Host or an absolute request line naming
// another host (400). Each rule holds for GET and HEAD alike (the front door reads the host before
// anything answers: front-door.ts). Every refusal, and the unknown-host 421, is a page with the
// pages' security headers.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import request, { type Response } from "supertest";
import { approveAtEmulator } from "../support/emulator-server.js";
import { HostBrowser } from "../support/host-browser.js";
import { SESSION_COOKIE, setCookies } from "../support/cookies.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const LOGIN = TEST_PUBLIC_URL;
const LOGIN_HOST = new URL(LOGIN).host;
const B = "http://b.test";
let stack: TestStack;
/** b.test's session cookie and the login host's, of one sign-in. */
let cookieOfB: string;
let cookieOfLogin: string;

beforeAll(async () => {
  stack = await startTestStack({ env: { PROTECTED_HOSTS: "b.test, c.test", TRUST_PROXY: "loopback" } });
  const browser = new HostBrowser(stack.app);
  const start = await browser.get(`${B}/auth/github?returnTo=/`);
  const atLogin = await browser.get(start.headers.location!);
  const callback = await browser.get((await approveAtEmulator(atLogin.headers.location!, { login: "octocat" })).href);
  const issued = await browser.get(new URL(callback.headers.location!, LOGIN).href);
  expect((await browser.get(issued.headers.location!)).status).toBe(303);
  cookieOfB = `${SESSION_COOKIE}=${browser.cookie("b.test", SESSION_COOKIE)!}`;
  cookieOfLogin = `${SESSION_COOKIE}=${browser.cookie(LOGIN_HOST, SESSION_COOKIE)!}`;
});
afterAll(() => stack.close());

type Headers = Record<string, string | string[]>;

/** GET and HEAD of `path` with these headers: both statuses. */
async function onBothPaths(path: string, headers: Headers): Promise<[number, number]> {
  const send = (method: "get" | "head") => {
    const pending = request(stack.app)[method](path).set("Accept", "application/json");
    for (const [name, value] of Object.entries(headers)) pending.set(name, value as string);
    return pending;
  };
  return [(await send("get")).status, (await send("head")).status];
}

describe("a request whose host the proxy and X-Forwarded-Host disagree on", () => {
  test("B's cookie, with a proxy's Host of another host of ours and a client's X-Forwarded-Host: B, is refused with 421", async () => {
    for (const host of ["c.test", LOGIN_HOST]) {
      for (const path of ["/auth/check", "/api/me", "/api/session", "/api/sessions", "/api/github/user", "/auth/github?returnTo=/"]) {
        if (host === LOGIN_HOST && path === "/auth/check") continue; // the one pair let through, below
        const headers = { Host: host, "X-Forwarded-Host": "b.test", Cookie: cookieOfB };
        expect([host, path, await onBothPaths(path, headers)]).toEqual([host, path, [421, 421]]);
      }
    }
    const answer = await request(stack.app).get("/api/me").set({ Host: "c.test", "X-Forwarded-Host": "b.test", Cookie: cookieOfB });
    expect(answer.body.error).toBe("conflicting_host");
    expect(answer.body.message).toMatch(
      /Host names c\.test but X-Forwarded-Host names b\.test\. The proxy in front must set X-Forwarded-Host itself/,
    );
    expect(setCookies(answer)).toEqual([]);
  });

  test("the login host's cookie with X-Forwarded-Host: the login host, sent to a protected host, is refused too", async () => {
    const headers = { Host: "b.test", "X-Forwarded-Host": LOGIN_HOST, Cookie: cookieOfLogin };
    for (const path of ["/auth/check", "/api/me", "/api/sessions"])
      expect([path, await onBothPaths(path, headers)]).toEqual([path, [421, 421]]);
  });

  test("the same host in both, or a Host that is none of ours (a proxy's own name for this server), is the forwarded host", async () => {
    for (const host of ["b.test", "B.test:80", "10.0.0.7:3000", "login-server:3000"]) {
      const headers = { Host: host, "X-Forwarded-Host": "b.test", Cookie: cookieOfB };
      expect([host, await onBothPaths("/auth/check", headers)]).toEqual([host, [204, 204]]);
      expect([host, await onBothPaths("/api/me", headers)]).toEqual([host, [200, 200]]);
    }
  });

  test("/auth/check at the login host for a protected host (Traefik's forwardAuth at the login host's URL) answers as that host's own check", async () => {
    const headers = { Host: LOGIN_HOST, "X-Forwarded-Host": "b.test", Cookie: cookieOfB };
    expect(await onBothPaths("/auth/check", headers)).toEqual([204, 204]);
    expect((await request(stack.app).get("/auth/check").set(headers)).headers["x-auth-request-user"]).toBe("octocat");
    expect(await onBothPaths("/auth/check", { ...headers, Cookie: cookieOfLogin })).toEqual([401, 401]); // b.test's check: the login host's cookie is not b.test's
  });
});

describe("a request that names its host more than once", () => {
  test("an X-Forwarded-Host holding different hosts (a list, or the header repeated) is refused with 400 on both paths", async () => {
    for (const forwarded of ["c.test, b.test", "b.test,c.test", ["c.test", "b.test"]]) {
      const headers = { Host: "login-server:3000", "X-Forwarded-Host": forwarded, Cookie: cookieOfB };
      for (const path of ["/auth/check", "/api/me"])
        expect([forwarded, path, await onBothPaths(path, headers)]).toEqual([forwarded, path, [400, 400]]);
    }
    const answer = await request(stack.app)
      .get("/api/me")
      .set({ Host: "login-server:3000", "X-Forwarded-Host": "c.test, b.test", Cookie: cookieOfB });
    expect(answer.body).toEqual({ error: "bad_request", message: expect.stringMatching(/X-Forwarded-Host holds more than one host/) });
    // The same host twice is that host.
    expect(
      await onBothPaths("/auth/check", { Host: "login-server:3000", "X-Forwarded-Host": "b.test, b.test", Cookie: cookieOfB }),
    ).toEqual([204, 204]);
  });

  test("from a sender TRUST_PROXY does not trust, X-Forwarded-Host is not heard at all: Host decides", async () => {
    const { app } = await stack.restartedWith({ TRUST_PROXY: "false" });
    const answer = await request(app).get("/auth/check").set({ Host: "b.test", "X-Forwarded-Host": "c.test, b.test", Cookie: cookieOfB });
    expect(answer.status).toBe(204);
  });

  describe("written as no browser writes a request", () => {
    let server: Server;
    beforeAll(async () => {
      server = createServer(stack.app).listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
    });
    afterAll(() => void server.close());

    /** GET and HEAD of `target` sent as given, with exactly these headers: both statuses. */
    const rawOnBothPaths = async (target: string, headers: Headers) => [
      await rawSend(server, "GET", target, headers),
      await rawSend(server, "HEAD", target, headers),
    ];

    test("two Host headers are refused with 400 on both paths, even naming the same host", async () => {
      for (const hosts of [
        ["b.test", "c.test"],
        ["c.test", "b.test"],
        ["b.test", "b.test"],
      ]) {
        for (const path of ["/auth/check", "/api/me"]) {
          expect([hosts, path, await rawOnBothPaths(path, { Host: hosts, Cookie: cookieOfB })]).toEqual([hosts, path, [400, 400]]);
        }
      }
      expect(await rawOnBothPaths("/auth/check", { Host: "b.test", Cookie: cookieOfB })).toEqual([204, 204]);
    });

    test("an absolute request line naming another host than Host is refused with 400; naming the same one it is answered", async () => {
      for (const path of ["/auth/check", "/api/me"]) {
        expect([path, await rawOnBothPaths(`http://c.test${path}`, { Host: "b.test", Cookie: cookieOfB })]).toEqual([path, [400, 400]]);
      }
      expect(await rawOnBothPaths("http://b.test/auth/check", { Host: "b.test", Cookie: cookieOfB })).toEqual([204, 204]);
      expect(await rawOnBothPaths("http://B.test:80/api/me", { Host: "b.test", Cookie: cookieOfB })).toEqual([200, 200]);
    });
  });
});

describe("every refusal of the host is a page with the pages' security headers", () => {
  /** The security headers of a page answered on the login host (its home page), by name. */
  const PAGE_HEADERS = [
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "origin-agent-cluster",
    "x-dns-prefetch-control",
    "x-download-options",
    "x-permitted-cross-domain-policies",
    "x-xss-protection",
  ];
  const securityHeadersOf = (answer: Response) => Object.fromEntries(PAGE_HEADERS.map((name) => [name, answer.headers[name]]));

  test.each([
    ["an unknown host", 421, { Host: "evil.test" }],
    ["Host and X-Forwarded-Host naming two hosts of ours", 421, { Host: "c.test", "X-Forwarded-Host": "b.test" }],
    ["an X-Forwarded-Host list", 400, { Host: "login-server:3000", "X-Forwarded-Host": "c.test, b.test" }],
  ])("%s: %d, with the headers every page has (frame-ancestors 'none', nosniff…)", async (_case, status, headers) => {
    const home = await request(stack.app).get("/").set("Host", LOGIN_HOST).expect(200);
    for (const path of ["/", "/auth/github", "/auth/check", "/sessions", "/api/me"]) {
      const answer = await request(stack.app).get(path).set("Accept", "text/html").set(headers);
      // A page for browsers; under /api/ JSON, with the same headers.
      expect([path, answer.status, answer.type]).toEqual([path, status, path.startsWith("/api/") ? "application/json" : "text/html"]);
      expect([path, securityHeadersOf(answer)]).toEqual([path, securityHeadersOf(home)]);
    }
    expect(securityHeadersOf(home)["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(securityHeadersOf(home)["x-frame-options"]).toBe("SAMEORIGIN");
  });
});

/** A request written as no browser writes one: `target` as given (an absolute URL gives the absolute form), exactly these headers (a list repeats one). */
function rawSend(server: Server, method: "GET" | "HEAD", target: string, headers: Headers): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    // As a flat list (name, value, name, value…), which node:http sends line by line, a repeated name included.
    const lines = Object.entries(headers).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).flatMap((one) => [name, one]),
    );
    const sent = httpRequest({ host: "127.0.0.1", port, method, path: target, headers: lines, setHost: false }, (answer) => {
      answer.resume();
      answer.on("end", () => resolve(answer.statusCode!));
    });
    sent.once("error", reject);
    sent.end();
  });
}
