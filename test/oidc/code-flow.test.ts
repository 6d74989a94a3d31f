// The authorization code flow (SPEC §9), driven by openid-client against the real server: a public
// client with PKCE through the server's own sign-in at GitHub, a browser already signed in that is
// answered at once (unless prompt=login or max_age asks for a new sign-in), a confidential client,
// the claims, the grant in the session list.
import {
  client,
  jwtPayload,
  newBrowser,
  relyingParty,
  signInWithCode,
  startOidcStack,
  WEB_CLIENT,
  WEB_SECRET,
  walk,
  redirectOf,
  type TestStack,
} from "../support/oidc-stack.js";
import { sessionCookieOf } from "../support/sign-in.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startOidcStack();
});
afterAll(() => stack.close());

test("a public client signs a signed-out browser in through GitHub and gets verified tokens with the claims of SPEC §9", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  const tokens = await signInWithCode(stack.app, browser, rp);
  const claims = tokens.claims()!;
  expect(claims).toMatchObject({
    iss: "http://app.test:3000",
    aud: "cli",
    sub: "583231",
    preferred_username: "octocat",
    name: "The Octocat",
    email: "octocat@github.com",
    email_verified: true,
    profile: expect.stringContaining("octocat"),
    groups: [],
  });
  expect(tokens.refresh_token).toEqual(expect.any(String));
  expect(tokens.expires_in).toBeLessThanOrEqual(300);
  expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(300);
  const userinfo = await client.fetchUserInfo(rp, tokens.access_token, "583231");
  expect(userinfo).toMatchObject({ sub: "583231", preferred_username: "octocat", email: "octocat@github.com" });
});

test("a browser already signed in at the login host is answered at once, with no visit to GitHub", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  await signInWithCode(stack.app, browser, rp);
  const { stats } = stack.emulator.emulator;
  const [authorizations, exchanges] = [stats.authorizeRequests.length, stats.codeExchanges];
  const again = await signInWithCode(stack.app, browser, rp);
  expect(again.claims()!.sub).toBe("583231");
  expect([stats.authorizeRequests.length, stats.codeExchanges]).toEqual([authorizations, exchanges]);
});

test("a confidential client authenticates with client_secret_basic; a wrong secret is invalid_client", async () => {
  const rp = await relyingParty(stack.app, "web", WEB_SECRET);
  const browser = newBrowser(stack.app);
  const tokens = await signInWithCode(stack.app, browser, rp, { redirect_uri: WEB_CLIENT.redirect_uris[0]!, scope: "openid" }, "monalisa");
  expect(tokens.claims()).toMatchObject({ sub: "1000001", preferred_username: "monalisa", groups: [] });
  // monalisa's email is private: the verified primary one comes from /user/emails (the ID token has it: scope openid only asks for sub…)
  expect(tokens.refresh_token).toBeUndefined();

  const wrong = await relyingParty(stack.app, "web", "not-the-secret-0123456789abcdef");
  const started = await client.buildAuthorizationUrl(wrong, { redirect_uri: WEB_CLIENT.redirect_uris[0]!, scope: "openid", state: "s1" });
  const back = redirectOf(await walk(browser, started.toString(), "monalisa"));
  const refused = await client
    .authorizationCodeGrant(wrong, back, { expectedState: "s1", idTokenExpected: true })
    .catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(client.WWWAuthenticateChallengeError);
  const challenge = refused as client.WWWAuthenticateChallengeError;
  expect(challenge.response?.status).toBe(401);
  expect(await challenge.response?.json()).toMatchObject({ error: "invalid_client" });
});

test("groups are the orgs and teams the client names that the user is an active member of, asked of GitHub at the authorization", async () => {
  const rp = await relyingParty(stack.app, "grouped");
  const tokens = await signInWithCode(stack.app, newBrowser(stack.app), rp, { scope: "openid" });
  // octocat is a member of github and github/docs, and only invited (pending) to octo-org/ops.
  expect(new Set(tokens.claims()!.groups as string[])).toEqual(new Set(["github", "github/docs"]));
});

test("the grant is a session of its own: listed with kind oidc and the client's id", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  const tokens = await signInWithCode(stack.app, browser, rp);
  expect(jwtPayload(tokens.id_token!).sub).toBe("583231");
  const list = await browser.get("/api/sessions");
  expect(list.status).toBe(200);
  const kinds = (list.body as { kind: string; clientId?: string }[]).map(({ kind, clientId }) => `${kind}:${clientId ?? ""}`);
  expect(kinds).toContain("oidc:cli");
  expect(kinds).toContain("browser:");
  const page = await browser.get("/sessions");
  expect(page.text).toContain("oidc (cli)");
  void sessionCookieOf;
});

test.each([
  ["prompt=login", { prompt: "login" }],
  ["max_age=0", { max_age: "0" }],
])("%s signs in with GitHub again, with its account picker, before the authorization goes on", async (_name, params) => {
  const rp = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  const first = await signInWithCode(stack.app, browser, rp);
  const { stats } = stack.emulator.emulator;
  const exchanges = stats.codeExchanges;
  const startedAt = Date.now();
  const again = await signInWithCode(stack.app, browser, rp, params);
  expect(stats.codeExchanges).toBe(exchanges + 1);
  expect(stats.authorizeRequests.at(-1)?.params.prompt).toBe("select_account");
  // auth_time is that new sign-in's.
  expect(Number(again.claims()!.auth_time)).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000));
  expect(first.claims()!.sub).toBe(again.claims()!.sub);
});
