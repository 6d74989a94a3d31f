// Signing in again costs GitHub nothing (SPEC §3): every sign-in with GitHub mints one of the
// user's ten tokens for the app, and an eleventh silently revokes the oldest (a CLI's session, say).
// A browser signed in here and still allowed goes straight on to returnTo; "use another account"
// (prompt=select_account) always goes to GitHub's account picker, on the login host and through a
// protected host's handoff; a browser whose session the lists refuse signs in with GitHub afresh
// instead of meeting the same refusal again.
import request from "supertest";
import { approveAtEmulator } from "../support/emulator-server.js";
import { HostBrowser } from "../support/host-browser.js";
import { SESSION_COOKIE, setCookie } from "../support/cookies.js";
import { HOSTILE_RETURN_TO } from "../support/hostile-return-to.js";
import { signIn, type Agent } from "../support/sign-in.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const LOGIN = TEST_PUBLIC_URL;
const B = "http://b.test";
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { PROTECTED_HOSTS: "b.test", ALLOWED_USERS: "octocat,monalisa" } });
});
beforeEach(() => stack.emulator.emulator.resetStats());
afterEach(() => stack.settled());
afterAll(() => stack.close());

const emulator = () => stack.emulator.emulator;
const onGitHub = (location: string | undefined) => location?.startsWith(`${stack.emulator.url}/login/oauth/authorize?`) === true;

/**
 * GET `path` as a browser would, through GitHub when sent there (approving as `login`): the final
 * answer of the server, and whether GitHub was visited.
 */
async function signInAs(agent: Agent, path: string, login = "octocat") {
  const start = await agent.get(path);
  expect(start.status).toBe(302);
  if (!onGitHub(start.headers.location)) return { visitedGitHub: false, answer: start };
  const callbackUrl = await approveAtEmulator(start.headers.location!, { login });
  return { visitedGitHub: true, answer: await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`) };
}

async function signedInAgent(login = "octocat") {
  const agent = request.agent(stack.app);
  const { callback } = await signIn(agent, { login });
  expect(callback.status).toBe(303);
  emulator().resetStats();
  return agent;
}

/** A browser signed in at the login host (several hosts, each with its own cookies). */
async function browserSignedIn(login = "octocat") {
  const browser = new HostBrowser(stack.app);
  const start = await browser.get(`${LOGIN}/auth/github`);
  const callbackUrl = await approveAtEmulator(start.headers.location!, { login });
  expect((await browser.get(callbackUrl.href)).status).toBe(303);
  emulator().resetStats();
  return browser;
}

test("signed in: ten sign-ins go straight on to returnTo, with no visit to GitHub and no new token", async () => {
  const agent = await signedInAgent();
  const tokensBefore = emulator().issuedAccessTokens().length;
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const { visitedGitHub, answer } = await signInAs(agent, "/auth/github?returnTo=/x");
    expect([visitedGitHub, answer.status, answer.headers.location]).toEqual([false, 302, "/x"]);
    expect(setCookie(answer, SESSION_COOKIE)).toBeUndefined(); // the same session, not a new one
  }
  expect(emulator().stats.authorizeRequests).toHaveLength(0);
  expect(emulator().stats.tokenRequests).toHaveLength(0);
  expect(emulator().issuedAccessTokens()).toHaveLength(tokensBefore);
  expect((await agent.get("/api/me").expect(200)).body.login).toBe("octocat");
});

test(`signed in: every one of the ${HOSTILE_RETURN_TO.length} hostile returnTo values goes straight on to "/", and only there`, async () => {
  const agent = await signedInAgent();
  const landings = [];
  for (const returnTo of HOSTILE_RETURN_TO) {
    const answer = await agent.get(`/auth/github?returnTo=${encodeURIComponent(returnTo)}`);
    landings.push([returnTo, answer.status, answer.headers.location]);
  }
  expect(landings).toEqual(HOSTILE_RETURN_TO.map((returnTo) => [returnTo, 302, "/"]));
  expect(emulator().stats.authorizeRequests).toHaveLength(0);
});

test("signed out, the sign-in goes to GitHub as before, without the account picker", async () => {
  const start = await request(stack.app).get("/auth/github?returnTo=/x").expect(302);
  expect(onGitHub(start.headers.location)).toBe(true);
  expect(new URL(start.headers.location!).searchParams.has("prompt")).toBe(false);
});

test("prompt=select_account goes to GitHub's account picker even when signed in, and ends on returnTo as the account chosen", async () => {
  const agent = await signedInAgent();
  const start = await agent.get("/auth/github?returnTo=/x&prompt=select_account").expect(302);
  expect(onGitHub(start.headers.location)).toBe(true);
  expect(new URL(start.headers.location!).searchParams.get("prompt")).toBe("select_account");
  // The emulator, like GitHub, shows its picker: nothing preselected, the person chooses.
  const picker = await fetch(start.headers.location!);
  const page = await picker.text();
  expect(page).toContain("Choose an account");
  expect(page).not.toMatch(/type="radio"[^>]*checked/);
  expect(emulator().stats.authorizeRequests.at(-1)?.params.prompt).toBe("select_account");
  const callbackUrl = await approveAtEmulator(start.headers.location!, { login: "monalisa" });
  const callback = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`);
  expect([callback.status, callback.headers.location]).toEqual([303, "/x"]);
  expect((await agent.get("/api/me").expect(200)).body.login).toBe("monalisa");
});

test.each(["prompt=login", "prompt=SELECT_ACCOUNT", "prompt=select_account&prompt=select_account", "prompt[a]=select_account"])(
  "any other prompt (%s) is no prompt: GitHub is not told it, and a signed-in browser goes straight on",
  async (query) => {
    const agent = await signedInAgent();
    const answer = await agent.get(`/auth/github?returnTo=/x&${query}`);
    expect([answer.status, answer.headers.location]).toEqual([302, "/x"]);
    const signedOut = await request(stack.app).get(`/auth/github?${query}`).expect(302);
    expect(new URL(signedOut.headers.location!).searchParams.has("prompt")).toBe(false);
  },
);

test("a session the lists no longer allow signs in with GitHub afresh, rather than meeting the refusal again", async () => {
  const browser = await browserSignedIn("octocat");
  // octocat is taken off ALLOWED_USERS (the server restarted with the new list).
  const refused = browser.through((await stack.restartedWith({ ALLOWED_USERS: "monalisa" })).app);
  const start = await refused.get(`${LOGIN}/auth/github?returnTo=/x`);
  expect(start.status).toBe(302);
  expect(onGitHub(start.headers.location)).toBe(true);
  // Another account, one the lists allow, gets in and lands where it asked.
  const callbackUrl = await approveAtEmulator(start.headers.location!, { login: "monalisa" });
  const callback = await refused.get(callbackUrl.href);
  expect([callback.status, callback.headers.location]).toEqual([303, "/x"]);
});

describe("on a protected host", () => {
  /** B's /auth/github up to where the login host sends the browser next. */
  async function fromB(browser: HostBrowser, query: string) {
    const start = await browser.get(`${B}/auth/github?${query}`);
    expect(start.status).toBe(302);
    const atLogin = new URL(start.headers.location!);
    expect(`${atLogin.origin}${atLogin.pathname}`).toBe(`${LOGIN}/auth/handoff/start`);
    return { atLogin, issued: await browser.get(atLogin.href) };
  }

  test("signed in at the login host: handed over with no visit to GitHub, as before", async () => {
    const browser = await browserSignedIn();
    const { issued } = await fromB(browser, "returnTo=/report");
    expect(issued.status).toBe(303);
    expect(issued.headers.location).toMatch(/^http:\/\/b\.test\/auth\/handoff\?ticket=/);
    expect(emulator().stats.authorizeRequests).toHaveLength(0);
  });

  test("prompt=select_account: GitHub's account picker first, then the new account is handed to the host", async () => {
    const browser = await browserSignedIn("octocat");
    const { atLogin, issued } = await fromB(browser, "returnTo=/report&prompt=select_account");
    expect(atLogin.searchParams.get("prompt")).toBe("select_account");
    expect(onGitHub(issued.headers.location)).toBe(true);
    expect(new URL(issued.headers.location!).searchParams.get("prompt")).toBe("select_account");
    const callbackUrl = await approveAtEmulator(issued.headers.location!, { login: "monalisa" });
    const callback = await browser.get(callbackUrl.href);
    expect(callback.status).toBe(303);
    // Back to the handoff without the prompt: this time the new session is handed over.
    expect(callback.headers.location).toBe(`${atLogin.pathname}?request=${atLogin.searchParams.get("request")}`);
    const ticket = await browser.get(new URL(callback.headers.location!, LOGIN).href);
    expect(ticket.headers.location).toMatch(/^http:\/\/b\.test\/auth\/handoff\?ticket=/);
    const landing = await browser.get(ticket.headers.location!);
    expect([landing.status, landing.headers.location]).toEqual([303, "/report"]);
    expect((await browser.get(`${B}/api/me`)).body.login).toBe("monalisa");
    expect(emulator().stats.authorizeRequests).toHaveLength(1);
  });

  test("a session the lists no longer allow is not handed over: the browser signs in with GitHub afresh", async () => {
    const browser = await browserSignedIn("octocat");
    const { app } = await stack.restartedWith({ ALLOWED_USERS: "monalisa" });
    const { issued } = await fromB(browser.through(app), "returnTo=/report");
    expect(issued.status).toBe(302);
    expect(onGitHub(issued.headers.location)).toBe(true);
  });
});
