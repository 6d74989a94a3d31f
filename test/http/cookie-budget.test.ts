// Cookie bombing: whatever a page makes a browser do with /auth/github (any returnTo, any number
// of sign-ins, in parallel too), the cookies this server sets on the host stay under 4 KB in all,
// so no request to the host is refused for the size of its headers (SPEC §4).
import request, { type Response } from "supertest";
import { startTestStack, type TestStack } from "../support/stack.js";
import { approveAtEmulator } from "../support/emulator-server.js";

const COOKIE_BUDGET_BYTES = 4096;

// The longest values returnTo accepts, spelled so that they grow the most when encoded: quotes,
// spaces, non-ASCII and brackets all become %XX (or %XX%XX) in a URL or a cookie.
const WORST_CASE_RETURN_TO = [
  `/${"a".repeat(2047)}`,
  `/${'"'.repeat(682)}`,
  `/?q=${"é".repeat(340)}`,
  `/${"<>{}| ".repeat(113)}`,
  `/${"%22".repeat(682)}`,
  `/${"€".repeat(227)}`,
];

/** A browser's cookie jar for one host, fed with Set-Cookie headers as a browser would. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const header of (response.headers["set-cookie"] as unknown as string[] | undefined) ?? []) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute) || /^expires=thu, 01 jan 1970/i.test(attribute));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

const start = (jar: CookieJar, returnTo: string) =>
  request(stack.app)
    .get(`/auth/github?returnTo=${encodeURIComponent(returnTo)}`)
    .set("Cookie", jar.header())
    .expect(302);

test(`${WORST_CASE_RETURN_TO.length * 5} sign-ins started one after another with worst-case returnTo values stay under 4 KB of cookies`, async () => {
  const jar = new CookieJar();
  let largest = 0;
  for (let round = 0; round < 5; round += 1) {
    for (const returnTo of WORST_CASE_RETURN_TO) {
      jar.take(await start(jar, returnTo));
      largest = Math.max(largest, Buffer.byteLength(jar.header()));
    }
  }
  expect(largest).toBeLessThan(COOKIE_BUDGET_BYTES);
  // The host still answers this browser, and a signed-in browser stays under budget too.
  await request(stack.app).get("/").set("Cookie", jar.header()).expect(200);
});

test("60 sign-ins started in parallel (the same cookies on every request) stay under 4 KB of cookies", async () => {
  const jar = new CookieJar();
  const answers = await Promise.all(
    Array.from({ length: 60 }, (_unused, index) => start(jar, WORST_CASE_RETURN_TO[index % WORST_CASE_RETURN_TO.length]!)),
  );
  for (const answer of answers) jar.take(answer);
  expect(Buffer.byteLength(jar.header())).toBeLessThan(COOKIE_BUDGET_BYTES);
  // And again, now that the browser holds its binding.
  const again = await Promise.all(Array.from({ length: 60 }, () => start(jar, WORST_CASE_RETURN_TO[1]!)));
  for (const answer of again) jar.take(answer);
  expect(Buffer.byteLength(jar.header())).toBeLessThan(COOKIE_BUDGET_BYTES);
  await request(stack.app).get("/").set("Cookie", jar.header()).expect(200);
});

test("every sign-in started sets cookies of one fixed size, whatever returnTo holds", async () => {
  const sizes = new Set<number>();
  for (const returnTo of ["/", ...WORST_CASE_RETURN_TO]) {
    const answer = await start(new CookieJar(), returnTo);
    const setCookies = (answer.headers["set-cookie"] as unknown as string[]).map((header) => header.split(";")[0]!);
    sizes.add(setCookies.join("; ").length);
  }
  expect([...sizes]).toHaveLength(1);
});

test("a signed-in browser that keeps starting sign-ins stays under budget, and the worst-case returnTo still lands", async () => {
  const jar = new CookieJar();
  let lastAuthorizeUrl: URL | null = null;
  for (const returnTo of WORST_CASE_RETURN_TO) {
    const answer = await start(jar, returnTo);
    jar.take(answer);
    lastAuthorizeUrl = new URL(answer.headers.location!);
  }
  const callbackUrl = await approveAtEmulator(lastAuthorizeUrl!.toString(), { login: "octocat" });
  const callback = await request(stack.app).get(`${callbackUrl.pathname}${callbackUrl.search}`).set("Cookie", jar.header());
  expect(callback.status).toBe(303);
  expect(callback.headers.location).toBe(new URL(WORST_CASE_RETURN_TO.at(-1)!, "http://app.test").pathname);
  jar.take(callback);
  expect(Buffer.byteLength(jar.header())).toBeLessThan(COOKIE_BUDGET_BYTES);
});
