// GET /auth/refused: the page a proxy shows in place of its bare 403 (nginx `error_page 403
// /auth/refused?teams=…`). It decides again with the same rule as the check and shows why.
import request from "supertest";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let octocat: string;
let monalisa: string;
beforeAll(async () => {
  stack = await startTestStack();
  stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
  octocat = (await signedInBrowser(stack.app, "octocat")).cookie;
  monalisa = (await signedInBrowser(stack.app, "monalisa")).cookie;
});
afterAll(() => stack.close());

const refused = (cookie: string | null, query: string) => {
  const asked = request(stack.app).get(`/auth/refused${query}`).set("Accept", "text/html");
  return cookie ? asked.set("Cookie", cookie) : asked;
};

test("a user the rule refuses gets the refusal page with its reason and another-account sign-in, as 403", async () => {
  const page = await refused(monalisa, "?teams=acme/ops").expect(403).expect("Content-Type", /html/);
  expect(page.text).toContain("not an active member of acme/ops");
  expect(page.text).toContain('href="/auth/github?prompt=select_account"');
  expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
});

test("a user the rule allows is sent on to the front page; signed out is the sign-in page (401)", async () => {
  expect((await refused(octocat, "?teams=acme/ops").expect(303)).headers.location).toBe("/");
  const signedOut = await refused(null, "?teams=acme/ops").expect(401);
  expect(signedOut.text).toContain("/auth/github");
});

test("a rule it does not understand is 400 for everyone, never a pass", async () => {
  for (const query of ["?team=acme/ops", "?teams=", "?teams=acme/ops&teams=acme/web"]) {
    await refused(octocat, query).expect(400);
    await refused(null, query).expect(400);
  }
});
