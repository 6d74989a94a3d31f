// Signing in and out through the provider (SPEC §9 "Signing in", "One session"): a user the
// client's rule or the server's lists refuse gets access_denied at the client's redirect URI,
// saying why; a second sign-in in the same browser leaves
// the first grant alone; /oidc/session/end ends the sign-in and its grants; two instances serve
// the same grants.
import { ManualClock } from "../../src/clock.js";
import { deviceSessionToken } from "../support/device.js";
import {
  client,
  newBrowser,
  OCTO_CLIENT,
  redirectOf,
  relyingParty,
  signInWithCode,
  startAuthorization,
  startOidcStack,
  walk,
  WEB_CLIENT,
  WEB_SECRET,
  type TestStack,
} from "../support/oidc-stack.js";

let stack: TestStack;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock(Date.now());
  stack = await startOidcStack({ clock, env: { ALLOWED_USERS: "octocat,monalisa" } });
});
afterEach(() => stack.close());

const auditLines = () =>
  stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === "sign_in" && line.kind === "oidc");

test("a user the client's rule refuses gets access_denied at the client's redirect URI, saying why, and the log says it too", async () => {
  const rp = await relyingParty(stack.app, "octo", OCTO_CLIENT.client_secret);
  const started = client.buildAuthorizationUrl(rp, { redirect_uri: OCTO_CLIENT.redirect_uris[0]!, scope: "openid", state: "st" });
  const back = redirectOf(await walk(newBrowser(stack.app), started.toString(), "octocat"));
  expect(`${back.origin}${back.pathname}`).toBe(OCTO_CLIENT.redirect_uris[0]);
  expect(back.searchParams.get("error")).toBe("access_denied");
  expect(back.searchParams.get("error_description")).toContain("octo-org");
  expect(back.searchParams.get("state")).toBe("st");
  expect(auditLines()).toContainEqual(expect.objectContaining({ outcome: "not_allowed", login: "octocat" }));
  const metrics = await newBrowser(stack.app).get("/metrics");
  expect(metrics.text).toMatch(/gls_oidc_grants_total\{outcome="refused"\} 1/);
});

test("a user the server's lists refuse now (taken off ALLOWED_USERS) gets access_denied saying so", async () => {
  const browser = newBrowser(stack.app);
  await signInWithCode(stack.app, browser, await relyingParty(stack.app, "cli"));
  const narrowed = await stack.restartedWith({ ALLOWED_USERS: "monalisa" });
  const rp = await relyingParty(narrowed.app, "cli");
  const started = await startAuthorization(rp);
  const sameBrowser = browser as unknown as { app: unknown };
  sameBrowser.app = narrowed.app;
  const back = redirectOf(await walk(browser, started.url.toString()));
  expect(back.searchParams.get("error")).toBe("access_denied");
  expect(back.searchParams.get("error_description")).toContain("ALLOWED_USERS");
});

test("a second sign-in in the same browser, to another client or the same, leaves the first grant working", async () => {
  const cli = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  const first = await signInWithCode(stack.app, browser, cli);
  await signInWithCode(stack.app, browser, await relyingParty(stack.app, "web", WEB_SECRET), {
    redirect_uri: WEB_CLIENT.redirect_uris[0]!,
    scope: "openid",
  });
  await signInWithCode(stack.app, browser, cli);
  await expect(client.refreshTokenGrant(cli, first.refresh_token!)).resolves.toBeDefined();
  const grants = ((await browser.get("/api/sessions")).body as { kind: string }[]).filter((session) => session.kind === "oidc");
  expect(grants).toHaveLength(3);
});

test("/oidc/session/end, once confirmed, ends the browser's sign-in and every grant it made, and nothing else", async () => {
  const web = await relyingParty(stack.app, "web", WEB_SECRET);
  const browser = newBrowser(stack.app);
  const tokens = await signInWithCode(stack.app, browser, web, {
    redirect_uri: WEB_CLIENT.redirect_uris[0]!,
    scope: "openid offline_access",
  });
  const otherBrowser = newBrowser(stack.app);
  const cli = await relyingParty(stack.app, "cli");
  const elsewhere = await signInWithCode(stack.app, otherBrowser, cli);

  const endUrl = client.buildEndSessionUrl(web, {
    id_token_hint: tokens.id_token!,
    post_logout_redirect_uri: WEB_CLIENT.post_logout_redirect_uris[0]!,
    state: "bye",
  });
  const confirm = await browser.get(`${endUrl.pathname}${endUrl.search}`);
  expect(confirm.status).toBe(200);
  expect(confirm.text).toContain("@octocat");
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1]!;
  const done = await browser.post("/oidc/session/end/confirm").type("form").send({ xsrf, logout: "yes" });
  expect(done.status).toBe(303);
  expect(done.headers.location).toBe(`${WEB_CLIENT.post_logout_redirect_uris[0]}?state=bye`);

  expect((await browser.get("/api/me")).status).toBe(401);
  const refused = await client.refreshTokenGrant(web, tokens.refresh_token!).then(
    () => null,
    (error: unknown) => error as client.ResponseBodyError,
  );
  expect(refused?.error).toBe("invalid_grant");
  // Another browser's sign-in, and its grant, are not this one's.
  expect((await otherBrowser.get("/api/me")).status).toBe(200);
  await expect(client.refreshTokenGrant(cli, elsewhere.refresh_token!)).resolves.toBeDefined();
});

test("another spelling of /oidc/session/end (case, trailing slash) is 404: another site cannot sign the browser out through it", async () => {
  const web = await relyingParty(stack.app, "web", WEB_SECRET);
  const browser = newBrowser(stack.app);
  const tokens = await signInWithCode(stack.app, browser, web, {
    redirect_uri: WEB_CLIENT.redirect_uris[0]!,
    scope: "openid offline_access",
  });
  for (const path of ["/OIDC/SESSION/END", "/oidc/session/end/", "/Oidc/Session/End?state=x"]) {
    // What a cross-site page sends: the GET, then the self-submitting form's POST, with whatever it carried.
    const answer = await browser.get(path).set("Sec-Fetch-Site", "cross-site");
    expect([path, answer.status]).toEqual([path, 404]);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(answer.text)?.[1] ?? "guessed";
    for (const confirm of ["/oidc/session/end/confirm", "/OIDC/SESSION/END/CONFIRM"]) {
      const posted = await browser.post(confirm).type("form").set("Sec-Fetch-Site", "cross-site").send({ xsrf, logout: "yes" });
      expect([confirm, posted.status >= 400 && posted.status < 500]).toEqual([confirm, true]);
    }
  }
  expect((await browser.get("/api/me")).status).toBe(200);
  await expect(client.refreshTokenGrant(web, tokens.refresh_token!)).resolves.toBeDefined();
});

test("a program's bearer session token does not stand for a browser at an authorization: it is sent to sign in", async () => {
  const withDevices = await stack.restartedWith({ DEVICE_FLOW: "true" });
  const token = await deviceSessionToken(stack, clock, withDevices.app);
  const started = await startAuthorization(await relyingParty(withDevices.app, "cli"));
  const program = newBrowser(withDevices.app);
  const bearer = `Bearer ${token}`;
  const toInteraction = await program.get(`${started.url.pathname}${started.url.search}`).set("Authorization", bearer);
  expect(toInteraction.status).toBe(303);
  const interaction = await program
    .get(new URL(toInteraction.headers.location!, "http://app.test:3000").pathname)
    .set("Authorization", bearer);
  expect(interaction.status).toBe(303);
  expect(interaction.headers.location).toMatch(/^\/auth\/github\?returnTo=%2Foidc%2Finteraction%2F/);
});

test("/oidc/session/end declined ends nothing", async () => {
  const web = await relyingParty(stack.app, "web", WEB_SECRET);
  const browser = newBrowser(stack.app);
  const tokens = await signInWithCode(stack.app, browser, web, {
    redirect_uri: WEB_CLIENT.redirect_uris[0]!,
    scope: "openid offline_access",
  });
  const confirm = await browser.get("/oidc/session/end");
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1]!;
  const declined = await browser.post("/oidc/session/end/confirm").type("form").send({ xsrf });
  expect(declined.status).toBe(303);
  expect((await browser.get("/api/me")).status).toBe(200);
  await expect(client.refreshTokenGrant(web, tokens.refresh_token!)).resolves.toBeDefined();
});

test("two instances on one Redis: a code issued by one is redeemed at the other, and refreshes work at either", async () => {
  const other = await stack.anotherInstance();
  const rpHere = await relyingParty(stack.app, "cli");
  const rpThere = await relyingParty(other, "cli");
  const browser = newBrowser(stack.app);
  const started = await startAuthorization(rpHere);
  const back = redirectOf(await walk(browser, started.url.toString()));
  const tokens = await client.authorizationCodeGrant(rpThere, back, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
  });
  const onFirst = await client.refreshTokenGrant(rpHere, tokens.refresh_token!);
  const onSecond = await client.refreshTokenGrant(rpThere, onFirst.refresh_token!);
  expect(onSecond.claims()!.sub).toBe("583231");
  expect((await client.fetchUserInfo(rpHere, onSecond.access_token, "583231")).preferred_username).toBe("octocat");
});

test("a grant's session ends with SESSION_MAX_AGE like any other, whatever its refreshes", async () => {
  const short = await stack.restartedWith({ SESSION_MAX_AGE: "2h", SESSION_IDLE_TIMEOUT: "1h" });
  const rp = await relyingParty(short.app, "cli");
  const tokens = await signInWithCode(short.app, newBrowser(short.app), rp);
  let refreshToken = tokens.refresh_token!;
  for (let step = 0; step < 2; step += 1) {
    clock.advance(50 * 60_000);
    refreshToken = (await client.refreshTokenGrant(rp, refreshToken)).refresh_token!;
  }
  clock.advance(25 * 60_000);
  const refused = await client.refreshTokenGrant(rp, refreshToken).then(
    () => null,
    (error: unknown) => error as client.ResponseBodyError,
  );
  expect(refused?.error).toBe("invalid_grant");
});
