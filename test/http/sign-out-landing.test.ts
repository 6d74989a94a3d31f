// Where a sign-out lands (SPEC §3): browsers go to the login host's signed-out page, which says so
// and starts nothing, also when they signed out on a protected host, whose "/" is the app itself
// (its forward-auth check would send them straight back through sign-in to GitHub). Programs get 204.
import request from "supertest";
import { approveAtEmulator } from "../support/emulator-server.js";
import { HostBrowser } from "../support/host-browser.js";
import { signIn } from "../support/sign-in.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const LOGIN = TEST_PUBLIC_URL;
const B = "http://b.test";
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { PROTECTED_HOSTS: "b.test" } });
});
afterAll(() => stack.close());

/** A browser signed in on B through the login host (and GitHub). */
async function signedInOnB(): Promise<HostBrowser> {
  const browser = new HostBrowser(stack.app);
  const start = await browser.get(`${B}/auth/github?returnTo=/app`);
  const atGitHub = await browser.get(start.headers.location!);
  const callbackUrl = await approveAtEmulator(atGitHub.headers.location!, { login: "octocat" });
  const backToHandoff = await browser.get(callbackUrl.href);
  const ticket = await browser.get(new URL(backToHandoff.headers.location!, LOGIN).href);
  const landing = await browser.get(ticket.headers.location!);
  expect([landing.status, landing.headers.location]).toEqual([303, "/app"]);
  expect((await browser.get(`${B}/api/me`)).status).toBe(200);
  return browser;
}

function expectSignedOutPage(page: request.Response) {
  expect(page.status).toBe(200);
  expect(page.type).toBe("text/html");
  expect(page.text).toContain("You are signed out");
  expect(page.text).toContain('href="/auth/github"'); // signing in again is the visitor's choice, not a redirect
}

test("on the login host: 303 to /?signed_out=1, a page that says so and starts nothing", async () => {
  const agent = request.agent(stack.app);
  await signIn(agent);
  const signOut = await agent.post("/auth/logout").set("Origin", LOGIN).expect(303);
  expect(signOut.headers.location).toBe("/?signed_out=1");
  expectSignedOutPage(await agent.get(signOut.headers.location!));
  await agent.get("/api/me").expect(401);
});

test("on a protected host: 303 to the login host's signed-out page, not to the app's / (which would sign in again)", async () => {
  const browser = await signedInOnB();
  const signOut = await browser.post(`${B}/auth/logout`, { Origin: B });
  expect(signOut.status).toBe(303);
  expect(signOut.headers.location).toBe(`${LOGIN}/?signed_out=1`);
  expectSignedOutPage(await browser.get(signOut.headers.location!));
  for (const origin of [B, LOGIN]) expect([origin, (await browser.get(`${origin}/api/me`)).status]).toEqual([origin, 401]);
});

test("everywhere=1 lands there too", async () => {
  const browser = await signedInOnB();
  const signOut = await browser.post(`${B}/auth/logout?everywhere=1`, { Origin: B });
  expect([signOut.status, signOut.headers.location]).toEqual([303, `${LOGIN}/?signed_out=1`]);
});

test("API callers get 204 with no Location, on either host", async () => {
  const agent = request.agent(stack.app);
  await signIn(agent);
  const answer = await agent.post("/auth/logout").set("Accept", "application/json").expect(204);
  expect(answer.headers.location).toBeUndefined();
  const browser = await signedInOnB();
  const onB = await browser.post(`${B}/auth/logout`, { Origin: B, Accept: "application/json" });
  expect([onB.status, onB.headers.location]).toEqual([204, undefined]);
});

test("the notice shows only when asked for, and never over a signed-in profile", async () => {
  const plain = await request(stack.app).get("/").expect(200);
  expect(plain.text).not.toContain("You are signed out");
  for (const query of ["?signed_out=0", "?signed_out=1&signed_out=1", "?signed_out[x]=1"]) {
    const other = await request(stack.app).get(`/${query}`);
    expect([query, other.status, other.text.includes("You are signed out")]).toEqual([query, 200, false]);
  }
  const agent = request.agent(stack.app);
  await signIn(agent);
  const profile = await agent.get("/?signed_out=1").expect(200);
  expect(profile.text).not.toContain("You are signed out");
  expect(profile.text).toContain('action="/auth/logout"');
});

describe('one host for this server and an application at "/" (the login host is the app\'s host)', () => {
  test("a signed-out visit of the signed-out page is sent to its copy under /auth/, never into a sign-in", async () => {
    const check = await request(stack.app).get("/auth/check").set("X-Forwarded-Uri", "/?signed_out=1").expect(401);
    expect(check.headers.location).toBe("/auth/signed-out");
    // Any other page still gets the sign-in for that page.
    const other = await request(stack.app).get("/auth/check").set("X-Forwarded-Uri", "/?signed_out=2").expect(401);
    expect(other.headers.location).toBe("/auth/github?returnTo=/%3Fsigned_out%3D2");
  });

  test("/auth/signed-out says so and offers a sign-in; a browser signed in again goes to /", async () => {
    const page = await request(stack.app).get("/auth/signed-out").expect(200);
    expect(page.text).toContain("You are signed out");
    expect(page.text).toContain('href="/auth/github"');
    const agent = request.agent(stack.app);
    await signIn(agent);
    expect((await agent.get("/auth/signed-out").expect(303)).headers.location).toBe("/");
  });
});
