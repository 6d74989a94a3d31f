// The device authorization grant (RFC 8628, SPEC §9) for headless programs: the program gets a
// user code, a person enters it at /oidc/device in a browser (signing in with GitHub there if
// needed), confirms, and the program's poll gets tokens; cancelling gives it access_denied.
import {
  client,
  DEVICE_GRANT,
  newBrowser,
  PUBLIC_CLIENT,
  relyingParty,
  signInWithCode,
  startOidcStack,
  walk,
  WEB_CLIENT,
  WEB_SECRET,
  type Browser,
  type TestStack,
} from "../support/oidc-stack.js";

/** A program's client only members of octo-org may use (octocat is not one). */
const ORG_DEVICE_CLIENT = { client_id: "dev", grant_types: [DEVICE_GRANT], orgs: ["octo-org"] };

let stack: TestStack;
beforeAll(async () => {
  stack = await startOidcStack({ clients: [PUBLIC_CLIENT, WEB_CLIENT, ORG_DEVICE_CLIENT] });
});
afterAll(() => stack.close());

const xsrfIn = (html: string) => /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** Enters `userCode` at /oidc/device and answers the confirmation with `choice`: the answer to that. */
async function enterCode(browser: Browser, userCode: string, choice: "confirm" | "abort", clientId = "cli") {
  const form = await browser.get("/oidc/device");
  expect(form.status).toBe(200);
  const confirmation = await browser
    .post("/oidc/device")
    .type("form")
    .send({ xsrf: xsrfIn(form.text), user_code: userCode });
  expect(confirmation.status).toBe(200);
  expect(confirmation.text).toContain(`Sign in ${clientId}?`);
  return browser
    .post("/oidc/device")
    .type("form")
    .send({ xsrf: xsrfIn(confirmation.text), user_code: userCode, [choice]: "yes" });
}

async function poll(rp: client.Configuration, deviceCode: string) {
  return client.genericGrantRequest(rp, DEVICE_GRANT, { device_code: deviceCode }).then(
    (tokens) => ({ tokens, error: null, description: null }),
    (error: unknown) => ({
      tokens: null,
      error: (error as client.ResponseBodyError).error,
      description: (error as client.ResponseBodyError).error_description,
    }),
  );
}

test("a program signs in: pending until a signed-out browser enters the code and signs in with GitHub, then tokens", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const started = await client.initiateDeviceAuthorization(rp, { scope: "openid offline_access" });
  expect(started.verification_uri).toBe("http://app.test:3000/oidc/device");
  expect(started.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
  expect((await poll(rp, started.device_code)).error).toBe("authorization_pending");

  const browser = newBrowser(stack.app);
  const confirmed = await enterCode(browser, started.user_code, "confirm");
  expect(confirmed.status).toBe(303);
  const done = await walk(browser, confirmed.headers.location!);
  expect(done.status).toBe(200);
  expect(done.text).toContain("Device signed in");

  const tokens = await client.pollDeviceAuthorizationGrant(rp, { ...started, interval: 0 });
  expect(tokens.claims()).toMatchObject({ sub: "583231", preferred_username: "octocat", aud: "cli" });
  expect(tokens.refresh_token).toEqual(expect.any(String));
  // The device code works once.
  expect((await poll(rp, started.device_code)).error).toBe("invalid_grant");
});

test("a browser that authorized an application before signs a device in at once, as the same user", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  await signInWithCode(stack.app, browser, rp, {}, "monalisa");
  const started = await client.initiateDeviceAuthorization(rp, { scope: "openid" });
  const confirmed = await enterCode(browser, started.user_code, "confirm");
  const done = await walk(browser, confirmed.headers.location!);
  expect(done.status).toBe(200);
  const tokens = await client.pollDeviceAuthorizationGrant(rp, { ...started, interval: 0 });
  expect(tokens.claims()!.preferred_username).toBe("monalisa");
});

test("a device approved by a user the client's rule refuses: the person gets a page saying why, the program access_denied", async () => {
  const rp = await relyingParty(stack.app, "dev");
  for (const signedInFirst of [false, true]) {
    const started = await client.initiateDeviceAuthorization(rp, { scope: "openid" });
    const browser = newBrowser(stack.app);
    if (signedInFirst) await signInWithCode(stack.app, browser, await relyingParty(stack.app, "cli"));
    const confirmed = await enterCode(browser, started.user_code, "confirm", "dev");
    expect(confirmed.status).toBe(303);
    const refused = await walk(browser, confirmed.headers.location!);
    expect([signedInFirst, refused.status]).toEqual([signedInFirst, 403]);
    expect(refused.headers["content-type"]).toMatch(/^text\/html/);
    expect(refused.text).toContain("Sign-in refused");
    expect(refused.text).toContain("octo-org");
    expect(await poll(rp, started.device_code)).toMatchObject({ error: "access_denied", description: expect.stringContaining("octo-org") });
  }
  const errors = stack.logs.map((line) => JSON.parse(line) as { level: number; msg?: string }).filter((line) => line.level >= 50);
  expect(errors).toEqual([]);
});

test("a device sign-in resumed without its interaction (expired, another browser) gets a page saying so, never a 500", async () => {
  const answer = await newBrowser(stack.app).get("/oidc/device/not-an-interaction");
  expect(answer.status).toBe(400);
  expect(answer.text).toContain("expired");
  expect(answer.text).toContain('href="/oidc/device"');
});

test("cancelling at the confirmation gives the program access_denied", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const started = await client.initiateDeviceAuthorization(rp, { scope: "openid" });
  const browser = newBrowser(stack.app);
  const cancelled = await enterCode(browser, started.user_code, "abort");
  expect(cancelled.status).toBe(200);
  expect((await poll(rp, started.device_code)).error).toBe("access_denied");
});

test("a wrong user code is said on the page, nothing more; a client without the device grant cannot start one", async () => {
  const browser = newBrowser(stack.app);
  const form = await browser.get("/oidc/device");
  const wrong = await browser
    .post("/oidc/device")
    .type("form")
    .send({ xsrf: xsrfIn(form.text), user_code: "BCDF-GHJK" });
  expect(wrong.status).toBe(200);
  expect(wrong.text).toContain("not valid");
  const web = await relyingParty(stack.app, "web", WEB_SECRET);
  const refused = await client
    .initiateDeviceAuthorization(web, { scope: "openid" })
    .catch((error: unknown) => error as client.ResponseBodyError);
  expect(refused).toBeInstanceOf(client.ResponseBodyError);
  expect([(refused as client.ResponseBodyError).error, (refused as client.ResponseBodyError).error_description]).toEqual([
    "invalid_request",
    expect.stringMatching(/device_code/),
  ]);
});
