// Two sets of security headers: pages get helmet's full set with the pages' CSP; the read
// endpoints (JSON or empty answers, never documents) get the set that matters for data answers;
// an error page rendered on one of those gets the page set after all.
import request from "supertest";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let cookie: string;
beforeAll(async () => {
  stack = await startTestStack();
  cookie = (await signedInBrowser(stack.app)).cookie;
});
afterAll(() => stack.close());

// sandbox: should a data answer ever be opened as a document, it has an opaque origin and no script.
const DATA_CSP = "default-src 'none';frame-ancestors 'none';sandbox";
const DOCUMENT_ONLY = [
  "cross-origin-opener-policy",
  "origin-agent-cluster",
  "x-dns-prefetch-control",
  "x-download-options",
  "x-xss-protection",
];

function expectPageHeaders(headers: Record<string, string>) {
  expect(headers["content-security-policy"]).toMatch(/default-src 'self'/);
  expect(headers["content-security-policy"]).toMatch(/style-src 'self'/);
  expect(headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
  expect(headers["x-frame-options"]).toBe("SAMEORIGIN");
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["cross-origin-opener-policy"]).toBe("same-origin");
  expect(headers["x-content-type-options"]).toBe("nosniff");
}

test.each([
  ["/api/me", 200],
  ["/api/session", 200],
  ["/auth/check", 204],
])("%s answers with the data set: nothing may frame, load or sniff it; no document-only headers", async (path, status) => {
  const answer = await request(stack.app).get(path).set("Cookie", cookie).expect(status);
  expect(answer.headers["content-security-policy"]).toBe(DATA_CSP);
  expect(answer.headers["x-content-type-options"]).toBe("nosniff");
  expect(answer.headers["x-frame-options"]).toBe("DENY");
  expect(answer.headers["referrer-policy"]).toBe("no-referrer");
  expect(answer.headers["cross-origin-resource-policy"]).toBe("same-origin");
  expect(answer.headers["cache-control"]).toBe("no-store");
  for (const name of DOCUMENT_ONLY) expect(answer.headers[name]).toBeUndefined();
});

test("pages get the full set", async () => {
  const signedOut = await request(stack.app).get("/").expect(200);
  expectPageHeaders(signedOut.headers);
  const profile = await request(stack.app).get("/").set("Cookie", cookie).expect(200);
  expectPageHeaders(profile.headers);
});

test("a browser sent to /auth/check signed out (as Traefik passes a 401 on) gets a page with the page set", async () => {
  const answer = await request(stack.app).get("/auth/check").set("Accept", "text/html").expect(401);
  expect(answer.headers["content-type"]).toMatch(/^text\/html/);
  expectPageHeaders(answer.headers);
});

test("an API caller signed out gets JSON under the data set", async () => {
  const answer = await request(stack.app).get("/api/me").expect(401);
  expect(answer.body.error).toBe("unauthenticated");
  expect(answer.headers["content-security-policy"]).toBe(DATA_CSP);
});
