// /auth/check's 401 names the sign-in for the page the proxy was asked for (X-Forwarded-Uri), with
// returnTo percent-encoded so that a query of several parameters comes back whole; the header is a
// returnTo candidate like any other, so nothing it holds can lead off this origin. On 204,
// X-Auth-Request-Email and X-Auth-Request-Groups are always there, empty when unknown or none.
import request from "supertest";
import { HOSTILE_RETURN_TO } from "../support/hostile-return-to.js";
import { finishSignIn, signedInBrowser } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

const signInFor = async (page?: string) => {
  const call = request(stack.app).get("/auth/check").set("Accept", "application/json");
  const answer = await (page === undefined ? call : call.set("X-Forwarded-Uri", page));
  expect(answer.status).toBe(401);
  return answer.headers.location;
};

test("signed out: the 401's Location is the sign-in for the page, its returnTo percent-encoded", async () => {
  expect(await signInFor("/report?a=1&b=2")).toBe("/auth/github?returnTo=/report%3Fa%3D1%26b%3D2");
  expect(await signInFor("/search?q=a%26b&tag=x+y#top")).toBe("/auth/github?returnTo=/search%3Fq%3Da%2526b%26tag%3Dx%2By%23top");
  expect(await signInFor()).toBe("/auth/github?returnTo=/");
});

test("following that Location, the sign-in ends on exactly the page", async () => {
  for (const page of ["/report?a=1&b=2", "/search?q=a%26b&tag=x+y", "/caf%C3%A9/?x=%2F&y="]) {
    const browser = request.agent(stack.app);
    const start = await browser.get((await signInFor(page))!).expect(302);
    const { callback } = await finishSignIn(browser, new URL(start.headers.location!));
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe(page);
  }
});

test("an X-Forwarded-Uri that is not a same-origin path gives the sign-in for /", async () => {
  // Node refuses to send line breaks and other controls in a header; the rest are sent as they are.
  // eslint-disable-next-line no-control-regex
  const sendable = HOSTILE_RETURN_TO.filter((value) => !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value));
  expect(sendable.length).toBeGreaterThan(100);
  for (const hostile of sendable) expect([hostile, await signInFor(hostile)]).toEqual([hostile, "/auth/github?returnTo=/"]);
});

test("the 401 page's button leads to that sign-in (Traefik shows this page as it is)", async () => {
  const page = await request(stack.app).get("/auth/check").set("Accept", "text/html").set("X-Forwarded-Uri", "/report?a=1&b=2").expect(401);
  expect(page.headers.location).toBe("/auth/github?returnTo=/report%3Fa%3D1%26b%3D2");
  expect(page.text).toContain('href="/auth/github?returnTo=/report%3Fa%3D1%26b%3D2"');
});

test("signed in: X-Auth-Request-Email and X-Auth-Request-Groups are sent empty when unknown or none", async () => {
  // A GitHub App without the email permission cannot read monalisa's private email.
  stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user/emails", status: 404, body: { message: "Not Found" } });
  const { cookie } = await signedInBrowser(stack.app, "monalisa");
  const answer = await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
  expect(answer.headers["x-auth-request-user"]).toBe("monalisa");
  expect(answer.headers["x-auth-request-email"]).toBe("");
  expect(answer.headers["x-auth-request-groups"]).toBe("");
  expect(answer.headers.location).toBeUndefined();
});
