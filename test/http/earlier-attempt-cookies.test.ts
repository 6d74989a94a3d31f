// Browsers that started sign-ins before the single browser binding hold one cookie per attempt,
// `gls-signin-<16 characters>` (`__Host-` on https). Starting a sign-in, or coming back from one,
// clears exactly those: no other cookie of the host, of this server or of another app on it, is
// touched, and what is cleared is cleared with the attributes it was set with (a __Host- cookie
// cleared without Secure and Path=/ would stay in the browser).
import request from "supertest";
import { BINDING_COOKIE, HOST_ONLY_PREFIX, SESSION_COOKIE, setCookies } from "../support/cookies.js";
import { approvedSignIn } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

const EARLIER = [`${BINDING_COOKIE}-AAAAAAAAAAAAAAAA`, `${BINDING_COOKIE}-b_c-D_e-F_g-H_i-`];
/** Near misses of the earlier names, and cookies of other apps on the host: never cleared. */
const KEPT = [`${BINDING_COOKIE}-short`, `${BINDING_COOKIE}-AAAAAAAAAAAAAAAAA`, `${BINDING_COOKIE}-AAAAAAAAAAAAAAA.`, "other-app", "xgls-signin-AAAAAAAAAAAAAAAA"];
const HTTP_CLEARED = "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax";
const HTTPS_CLEARED = "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax";

const cookieHeader = (names: string[]) => names.map((name) => `${name}=v1.old`).join("; ");
const nameOf = (header: string) => header.slice(0, header.indexOf("="));
const isCleared = (header: string) => /; Expires=Thu, 01 Jan 1970 00:00:00 GMT/.test(header);
const cleared = (response: request.Response) => setCookies(response).filter(isCleared);
const setNames = (response: request.Response) => setCookies(response).filter((header) => !isCleared(header)).map(nameOf);

describe("on http", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  test("starting a sign-in clears exactly the earlier attempt cookies, and sets only the binding", async () => {
    const start = await request(stack.app).get("/auth/github").set("Cookie", cookieHeader([...EARLIER, ...KEPT])).expect(302);
    expect(cleared(start).sort()).toEqual(EARLIER.map((name) => `${name}${HTTP_CLEARED}`).sort());
    expect(setNames(start)).toEqual([BINDING_COOKIE]);
  });

  test("a browser without earlier attempt cookies has nothing cleared", async () => {
    const start = await request(stack.app).get("/auth/github").set("Cookie", cookieHeader(KEPT)).expect(302);
    expect(cleared(start)).toEqual([]);
    expect(setNames(start)).toEqual([BINDING_COOKIE]);
  });

  test("the callback clears them too, beside the new session cookie", async () => {
    const { callbackPath, attemptCookie } = await approvedSignIn(request.agent(stack.app));
    const callback = await request(stack.app)
      .get(callbackPath)
      .set("Cookie", `${attemptCookie}; ${cookieHeader([...EARLIER, ...KEPT])}`)
      .expect(303);
    expect(cleared(callback).sort()).toEqual(EARLIER.map((name) => `${name}${HTTP_CLEARED}`).sort());
    expect(setNames(callback)).toEqual([SESSION_COOKIE]);
  });
});

test("on https: the __Host- ones are cleared with Secure and Path=/, so the browser accepts the clearing", async () => {
  const https = await startTestStack({ env: { PUBLIC_URL: "https://app.test", TRUST_PROXY: "true" } });
  try {
    const earlier = [...EARLIER.map((name) => `${HOST_ONLY_PREFIX}${name}`), EARLIER[0]!];
    const kept = [...KEPT, `${HOST_ONLY_PREFIX}${KEPT[0]!}`, `${HOST_ONLY_PREFIX}${SESSION_COOKIE}`];
    const start = await request(https.app).get("/auth/github").set("X-Forwarded-Proto", "https").set("Cookie", cookieHeader([...earlier, ...kept])).expect(302);
    expect(cleared(start).sort()).toEqual(earlier.map((name) => `${name}${HTTPS_CLEARED}`).sort());
    expect(setNames(start)).toEqual([`${HOST_ONLY_PREFIX}${BINDING_COOKIE}`]);
  } finally {
    await https.close();
  }
});
