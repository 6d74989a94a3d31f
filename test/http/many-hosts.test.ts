// One sign-in for many hosts (SPEC §6), through the real app with the host in `Host`: a sign-in
// started on a protected host goes through the login host and comes back with that host's own
// cookie; a second host signs in with no call to GitHub; tickets work once, for one host, in one
// browser, for a minute; cookies never cross hosts; signing out anywhere ends the sign-in everywhere.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { approveAtEmulator } from "../support/emulator-server.js";
import { HostBrowser } from "../support/host-browser.js";
import { BINDING_COOKIE, SESSION_COOKIE, setCookies } from "../support/cookies.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const LOGIN = TEST_PUBLIC_URL;
const B = "http://b.test";
const C = "http://c.test";
const HOSTS = [B, C, "http://d.test", "http://e.test", "http://x.tools.test"];
const clock = new ManualClock(Date.now());
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ clock, env: { PROTECTED_HOSTS: "b.test, c.test, d.test, e.test, *.tools.test" } });
});
afterAll(async () => stack?.close());

/** Calls this server made to GitHub so far (token endpoint and REST API). */
const githubCalls = () => stack.emulator.emulator.stats.tokenRequests.length + stack.emulator.emulator.stats.apiRequests.length;

/** GET /auth/github on `origin` for `path`, through the login host (and GitHub when signed out there), up to the ticket's URL. */
async function walkToTicket(browser: HostBrowser, origin: string, path: string, login = "octocat") {
  const start = await browser.get(`${origin}/auth/github?returnTo=${encodeURIComponent(path)}`);
  expect(start.status).toBe(302);
  const atLogin = new URL(start.headers.location!);
  expect(`${atLogin.origin}${atLogin.pathname}`).toBe(`${LOGIN}/auth/handoff/start`);
  let issued = await browser.get(atLogin.href);
  let askedGitHub = false;
  if (issued.status === 302 && issued.headers.location!.startsWith(stack.emulator.url)) {
    askedGitHub = true;
    const callbackUrl = await approveAtEmulator(issued.headers.location!, { login });
    const callback = await browser.get(callbackUrl.href);
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe(`${atLogin.pathname}${atLogin.search}`);
    issued = await browser.get(new URL(callback.headers.location!, LOGIN).href);
  }
  expect(issued.status).toBe(303);
  const ticketUrl = new URL(issued.headers.location!);
  expect(`${ticketUrl.origin}${ticketUrl.pathname}`).toBe(`${origin}/auth/handoff`);
  return { ticketUrl: ticketUrl.href, askedGitHub };
}

async function signInOn(browser: HostBrowser, origin: string, path: string, login = "octocat") {
  const { ticketUrl, askedGitHub } = await walkToTicket(browser, origin, path, login);
  const redeemed = await browser.get(ticketUrl);
  expect(redeemed.status).toBe(303);
  return { landing: redeemed.headers.location, askedGitHub, ticketUrl };
}

const me = (browser: HostBrowser, origin: string) => browser.get(`${origin}/api/me`);

test("a sign-in started on a protected host ends on that exact page, signed in there with a cookie of its own", async () => {
  const browser = new HostBrowser(stack.app);
  const { landing, askedGitHub } = await signInOn(browser, B, "/report?a=1&b=2");
  expect(askedGitHub).toBe(true);
  expect(landing).toBe("/report?a=1&b=2");
  expect((await me(browser, B)).body.login).toBe("octocat");
  const check = await browser.get(`${B}/auth/check`);
  expect(check.status).toBe(204);
  expect(check.headers["x-auth-request-user"]).toBe("octocat");
  // B's cookie names B; the login host has its own.
  expect(decodeURIComponent(browser.cookie("b.test", SESSION_COOKIE)!)).toMatch(/^s:[^.|]+\|b\.test\./);
  expect(decodeURIComponent(browser.cookie("app.test:3000", SESSION_COOKIE)!)).toMatch(/^s:[^.|]+\.[^.]+$/);
  // Two audited sign-ins: with GitHub on the login host, then handed to b.test.
  const signIns = stack.logs.map((line) => JSON.parse(line)).filter((line) => line.event === "sign_in");
  expect(signIns.map(({ outcome, host, login }) => ({ outcome, host, login }))).toEqual([
    { outcome: "success", host: "app.test:3000", login: "octocat" },
    { outcome: "success", host: "b.test", login: "octocat" },
  ]);
});

test("single sign-on: four more hosts sign in with no call to GitHub and no visit to it", async () => {
  const browser = new HostBrowser(stack.app);
  const before = githubCalls();
  await signInOn(browser, HOSTS[0]!, "/");
  const firstSignIn = githubCalls() - before;
  expect(firstSignIn).toBeGreaterThan(0);
  for (const origin of HOSTS.slice(1)) {
    const { askedGitHub, landing } = await signInOn(browser, origin, "/dashboard?tab=2");
    expect(askedGitHub).toBe(false);
    expect(landing).toBe("/dashboard?tab=2");
    expect((await me(browser, origin)).status).toBe(200);
  }
  expect(githubCalls() - before).toBe(firstSignIn);
  console.log(`five-host single sign-on: ${firstSignIn} GitHub calls for the first host, 0 for each of the other four`);
});

describe("a ticket works once, for its host, in its browser, for a minute", () => {
  const noSessionCookie = (response: request.Response) =>
    expect(setCookies(response).filter((header) => header.startsWith(SESSION_COOKIE))).toEqual([]);

  test("replayed: refused, no cookie", async () => {
    const browser = new HostBrowser(stack.app);
    const { ticketUrl } = await signInOn(browser, B, "/");
    const again = await new HostBrowser(stack.app).get(ticketUrl);
    expect(again.status).toBe(400);
    const sameBrowser = await browser.get(ticketUrl);
    expect(sameBrowser.status).toBe(400);
    expect(sameBrowser.text).toContain("Sign-in link expired or invalid");
    noSessionCookie(sameBrowser);
  });

  test("on another protected host, or on the login host: refused", async () => {
    const browser = new HostBrowser(stack.app);
    const { ticketUrl } = await walkToTicket(browser, B, "/");
    const query = new URL(ticketUrl).search;
    // Even with the same binding on both hosts, the ticket names its host.
    browser.plant("c.test", BINDING_COOKIE, browser.cookie("b.test", BINDING_COOKIE)!);
    const atC = await browser.get(`${C}/auth/handoff${query}`);
    expect(atC.status).toBe(400);
    noSessionCookie(atC);
    expect((await browser.get(`${LOGIN}/auth/handoff${query}`)).status).toBe(404);
    // Still unused: it works where it was made for.
    expect((await browser.get(ticketUrl)).status).toBe(303);
  });

  test("in another browser: refused, so an attacker's ticket signs no victim in (login CSRF)", async () => {
    const attacker = new HostBrowser(stack.app);
    const { ticketUrl } = await walkToTicket(attacker, B, "/", "monalisa");
    const victim = new HostBrowser(stack.app);
    // The victim has a binding of its own on B (it started a sign-in there once), or none at all.
    await victim.get(`${B}/auth/github`);
    const answer = await victim.get(ticketUrl);
    expect(answer.status).toBe(400);
    noSessionCookie(answer);
    expect((await me(victim, B)).status).toBe(401);
    expect((await new HostBrowser(stack.app).get(ticketUrl)).status).toBe(400);
  });

  test("more than a minute old: refused", async () => {
    const browser = new HostBrowser(stack.app);
    const { ticketUrl } = await walkToTicket(browser, B, "/");
    clock.advance(61_000);
    const answer = await browser.get(ticketUrl);
    expect(answer.status).toBe(400);
    noSessionCookie(answer);
  });

  test("missing, forged or tampered: refused with the page, never a 500", async () => {
    const browser = new HostBrowser(stack.app);
    const { ticketUrl } = await walkToTicket(browser, B, "/");
    const ticket = new URL(ticketUrl).searchParams.get("ticket")!;
    const flipped = `${ticket.slice(0, -3)}${ticket.at(-3) === "A" ? "B" : "A"}${ticket.slice(-2)}`;
    for (const query of [
      "",
      "?ticket=",
      "?ticket=v1.abc",
      `?ticket=${flipped}`,
      `?ticket=${ticket}&ticket=${ticket}`,
      `?ticket=${"x".repeat(5000)}`,
    ]) {
      const answer = await browser.get(`${B}/auth/handoff${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
      noSessionCookie(answer);
    }
  });

  test("a request to hand over that was tampered with or is stale: refused at the login host", async () => {
    const browser = new HostBrowser(stack.app);
    const start = await browser.get(`${B}/auth/github`);
    const atLogin = new URL(start.headers.location!);
    const sealed = atLogin.searchParams.get("request")!;
    expect((await browser.get(`${LOGIN}/auth/handoff/start?request=${sealed.slice(0, -2)}xx`)).status).toBe(400);
    expect((await browser.get(`${B}/auth/handoff/start?request=${sealed}`)).status).toBe(404);
    clock.advance(11 * 60_000);
    expect((await browser.get(atLogin.href)).status).toBe(400);
  });
});

test("a cookie works only on the host it was made for", async () => {
  const browser = new HostBrowser(stack.app);
  await signInOn(browser, B, "/");
  const fromB = browser.cookie("b.test", SESSION_COOKIE)!;
  const fromLogin = browser.cookie("app.test:3000", SESSION_COOKIE)!;
  const other = new HostBrowser(stack.app);
  other.plant("c.test", SESSION_COOKIE, fromB);
  other.plant("app.test:3000", SESSION_COOKIE, fromB);
  other.plant("d.test", SESSION_COOKIE, fromLogin);
  expect((await me(other, C)).status).toBe(401);
  expect((await me(other, LOGIN)).status).toBe(401);
  expect((await me(other, "http://d.test")).status).toBe(401);
  expect((await other.get(`${C}/auth/check`)).status).toBe(401);
});

test("signing out on one host ends the sign-in on every host; the same-origin guard judges each host by its own origin", async () => {
  const browser = new HostBrowser(stack.app);
  await signInOn(browser, B, "/");
  await signInOn(browser, C, "/");
  const fromLogin = await browser.post(`${B}/auth/logout`, { Origin: LOGIN });
  expect(fromLogin.status).toBe(403);
  expect((await me(browser, B)).status).toBe(200);
  const signOut = await browser.post(`${B}/auth/logout`, { Origin: B });
  expect(signOut.status).toBe(303);
  expect(signOut.headers.location).toBe(`${LOGIN}/?signed_out=1`); // the login host's signed-out page (sign-out-landing.test.ts)
  for (const origin of [B, C, LOGIN]) expect([origin, (await me(browser, origin)).status]).toEqual([origin, 401]);
});

describe("hosts that are neither the login host nor protected", () => {
  const unknown = ["evil.test", "b.test.", "b.test:8080", "app.test", "b.test.evil.test", "a.b.tools.test", "tools.test", "B.test\u0000"];

  test.each(unknown.filter((host) => !host.includes("\u0000")))("%s: 421 on every session route, never a cookie", async (host) => {
    for (const path of ["/auth/github", "/auth/github?returnTo=/x", "/api/me", "/auth/check", "/", "/auth/handoff?ticket=x", "/sessions"]) {
      const answer = await request(stack.app).get(path).set("Host", host);
      expect([path, answer.status]).toEqual([path, 421]);
      expect(setCookies(answer)).toEqual([]);
    }
    expect((await request(stack.app).get("/healthz").set("Host", host)).status).toBe(200);
  });

  test("X-Forwarded-Host is not believed from a sender TRUST_PROXY does not trust", async () => {
    const answer = await request(stack.app).get("/auth/github").set("Host", "evil.test").set("X-Forwarded-Host", "b.test");
    expect(answer.status).toBe(421);
    expect(setCookies(answer)).toEqual([]);
  });

  test("behind a trusted proxy, X-Forwarded-Host names the host", async () => {
    const { app } = await stack.restartedWith({ TRUST_PROXY: "loopback" });
    const answer = await request(app).get("/auth/github").set("Host", "internal:3000").set("X-Forwarded-Host", "b.test");
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toMatch(/^http:\/\/app\.test:3000\/auth\/handoff\/start\?request=/);
    const unknownHost = await request(app).get("/auth/github").set("Host", "b.test").set("X-Forwarded-Host", "evil.test");
    expect(unknownHost.status).toBe(421);
  });
});

describe("absolute returnTo on the login host", () => {
  test("signed out: GitHub, then the protected host's exact address, signed in there", async () => {
    const browser = new HostBrowser(stack.app);
    const start = await browser.get(`${LOGIN}/auth/github?returnTo=${encodeURIComponent(`${B}/report?a=1&b=2`)}`);
    const callbackUrl = await approveAtEmulator(start.headers.location!, { login: "octocat" });
    const callback = await browser.get(callbackUrl.href);
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe(`${B}/auth/github?returnTo=${encodeURIComponent("/report?a=1&b=2")}`);
    const { landing, askedGitHub } = await signInOn(browser, B, "/report?a=1&b=2");
    expect(askedGitHub).toBe(false);
    expect(landing).toBe("/report?a=1&b=2");
  });

  test("a host under a one-label wildcard is a protected host too", async () => {
    const browser = new HostBrowser(stack.app);
    await signInOn(browser, C, "/");
    const answer = await browser.get(`${LOGIN}/auth/github?returnTo=${encodeURIComponent("http://x.tools.test/a?b=1")}`);
    expect(answer.headers.location).toBe(`http://x.tools.test/auth/github?returnTo=${encodeURIComponent("/a?b=1")}`);
  });

  test("signed in already: straight to the protected host, no GitHub", async () => {
    const browser = new HostBrowser(stack.app);
    await signInOn(browser, C, "/");
    const answer = await browser.get(`${LOGIN}/auth/github?returnTo=${encodeURIComponent(`${B}/x?y=1#z`)}`);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(`${B}/auth/github?returnTo=${encodeURIComponent("/x?y=1#z")}`);
  });

  test.each([
    "http://evil.test/",
    "http://b.test@evil.test/",
    "http://evil.test@b.test/",
    "http://user:pass@b.test/",
    "http://b.test.evil.test/",
    "http://evilb.test/",
    "http://b.test./",
    "http://b.test:8080/",
    "https://b.test/",
    "javascript://b.test/%0aalert(1)",
    "http:%2F%2Fb.test/",
    "http://%62.test/",
    "http://b\u0307.test/",
    "http://xn--b-ucd.test/",
    "http://b.test\\@evil.test/",
    "http://b.test/\t/evil.test",
    "http://b.test//evil.test",
    "http://b.test/\\evil.test",
    "http://b.test/%2e%2e//evil.test",
    "//b.test/",
    "http://a.b.tools.test/",
    "http://tools.test/",
  ])("%s is replaced by /", async (hostile) => {
    const browser = new HostBrowser(stack.app);
    const start = await browser.get(`${LOGIN}/auth/github?returnTo=${encodeURIComponent(hostile)}`);
    expect(start.status).toBe(302);
    expect(start.headers.location!.startsWith(stack.emulator.url)).toBe(true);
    const callbackUrl = await approveAtEmulator(start.headers.location!, { login: "octocat" });
    const callback = await browser.get(callbackUrl.href);
    expect([hostile, callback.headers.location]).toEqual([hostile, "/"]);
  });
});

test("signing out everywhere on the login host ends the sessions of every host", async () => {
  const browser = new HostBrowser(stack.app);
  await signInOn(browser, B, "/");
  const elsewhere = new HostBrowser(stack.app);
  await signInOn(elsewhere, C, "/");
  expect((await browser.post(`${LOGIN}/auth/logout?everywhere=1`, { Origin: LOGIN })).status).toBe(303);
  expect((await me(browser, B)).status).toBe(401);
  expect((await me(elsewhere, C)).status).toBe(401);
});

test("one user on five hosts, across two instances, refreshes the expiring GitHub token once", async () => {
  const browser = new HostBrowser(stack.app);
  for (const origin of HOSTS) await signInOn(browser, origin, "/");
  const second = browser.through(await stack.anotherInstance());
  const refreshesBefore = stack.emulator.emulator.stats.refreshes;
  clock.advance(8 * 60 * 60_000 + 60_000); // past the user token's 8 hours
  const answers = await Promise.all(HOSTS.flatMap((origin) => [me(browser, origin), me(second, origin)]));
  expect(answers.map((answer) => answer.status)).toEqual(HOSTS.flatMap(() => [200, 200]));
  expect(stack.emulator.emulator.stats.refreshes - refreshesBefore).toBe(1);
  expect(stack.emulator.emulator.stats.refreshTokenReuses).toBe(0);
});
