// Values from GitHub that go into /auth/check's headers (SPEC §5): a login or email a header cannot
// carry safely — CR/LF, U+2028, another control character, non-ASCII, a comma — makes that header
// empty and is logged, for GET and HEAD alike; never a 500. GitHub hands the server such a user: /user answers with it at
// sign-in (an injected answer, as a GitHub that misbehaves would).
import request from "supertest";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

/** Signs octocat in while GitHub's /user says these of her. */
async function signedInAs(profile: { login?: string; email?: string }): Promise<string> {
  const body = {
    id: 583231,
    login: "octocat",
    name: "The Octocat",
    email: "octocat@github.com",
    avatar_url: "",
    html_url: "",
    created_at: null,
    ...profile,
  };
  stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", status: 200, body });
  return (await signedInBrowser(stack.app, "octocat")).cookie;
}

async function checkedBothWays(cookie: string) {
  const get = await request(stack.app).get("/auth/check").set("Cookie", cookie);
  const head = await request(stack.app).head("/auth/check").set("Cookie", cookie);
  return [get, head];
}

test.each([
  ["CR/LF", "octo\r\nX-Injected: 1"],
  ["LF", "octo\ncat"],
  ["U+2028", "octo\u2028cat"],
  ["a control character", "octo\u0001cat"],
  ["non-ASCII", "octocät"],
  ["a comma", "octo,cat"],
])("a login with %s: 204 with X-Auth-Request-User empty (the rest intact), logged, never a 500", async (_what, login) => {
  const cookie = await signedInAs({ login });
  for (const answer of await checkedBothWays(cookie)) {
    expect(answer.status).toBe(204);
    expect(answer.headers["x-auth-request-user"]).toBe("");
    expect(answer.headers["x-auth-request-user-id"]).toBe("583231");
    expect(answer.headers["x-auth-request-email"]).toBe("octocat@github.com");
    expect(answer.headers["x-injected"]).toBeUndefined();
  }
  expect(stack.logs.some((line) => line.includes('"header":"X-Auth-Request-User"') && line.includes('"userId":583231'))).toBe(true);
});

test.each([
  ["CR/LF", "octocat@github.com\r\nX-Injected: 1"],
  ["U+2028", "octocat@github.com\u2028"],
  ["non-ASCII", "octocät@github.com"],
  ["a comma", '"octo,cat"@github.com'],
])("an email with %s: 204 with X-Auth-Request-Email empty, the login intact, never a 500", async (_what, email) => {
  const cookie = await signedInAs({ email });
  for (const answer of await checkedBothWays(cookie)) {
    expect(answer.status).toBe(204);
    expect(answer.headers["x-auth-request-email"]).toBe("");
    expect(answer.headers["x-auth-request-user"]).toBe("octocat");
  }
  expect(stack.logs.some((line) => line.includes('"header":"X-Auth-Request-Email"'))).toBe(true);
});
