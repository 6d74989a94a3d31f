// The OpenID Connect attack classes of ATTACKS.md, each tried against the real server: codes
// replayed, raced, redeemed by another client or with a wrong verifier; PKCE skipped or
// downgraded; redirect URIs that are almost the registered one; implicit and hybrid flows;
// `alg: none` request objects and hints; state and nonce echoed exactly (the relying party checks).
import request from "supertest";
import {
  client,
  newBrowser,
  PUBLIC_CLIENT,
  redirectOf,
  relyingParty,
  startAuthorization,
  startOidcStack,
  walk,
  WEB_CLIENT,
  WEB_SECRET,
  type TestStack,
} from "../support/oidc-stack.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startOidcStack();
});
afterAll(() => stack.close());

const LOOPBACK_REDIRECT = "http://127.0.0.1:49152/callback";

/** A code for the public client, with what redeeming it needs. */
async function codeFor(params: Record<string, string> = {}) {
  const rp = await relyingParty(stack.app, "cli");
  const started = await startAuthorization(rp, params);
  const back = redirectOf(await walk(newBrowser(stack.app), started.url.toString()));
  return { rp, started, back, code: back.searchParams.get("code")! };
}

/** A token request as any client may send it, form-encoded. */
function tokenRequest(form: Record<string, string>, app = stack.app) {
  return request(app).post("/oidc/token").type("form").send(form);
}

const redeem = (code: string, verifier: string | undefined, extra: Record<string, string> = {}) =>
  tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: LOOPBACK_REDIRECT,
    client_id: "cli",
    ...(verifier ? { code_verifier: verifier } : {}),
    ...extra,
  });

test("a code is redeemed once: a replay is invalid_grant and revokes what the first redemption gave", async () => {
  const { code, started } = await codeFor();
  const first = await redeem(code, started.verifier);
  expect(first.status).toBe(200);
  const replay = await redeem(code, started.verifier);
  expect([replay.status, replay.body.error]).toEqual([400, "invalid_grant"]);
  const userinfo = await request(stack.app).get("/oidc/me").set("Authorization", `Bearer ${first.body.access_token}`);
  expect(userinfo.status).toBe(401);
  const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.body.refresh_token, client_id: "cli" });
  expect([refresh.status, refresh.body.error]).toEqual([400, "invalid_grant"]);
});

test("of two redemptions of one code at once, on two instances, exactly one gets tokens", async () => {
  const other = await stack.anotherInstance();
  const { code, started } = await codeFor();
  const answers = await Promise.all([
    redeem(code, started.verifier),
    tokenRequest(
      { grant_type: "authorization_code", code, redirect_uri: LOOPBACK_REDIRECT, client_id: "cli", code_verifier: started.verifier },
      other,
    ),
  ]);
  expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
  expect(answers.find((answer) => answer.status === 400)!.body.error).toBe("invalid_grant");
});

test("a code is bound to its client, its redirect URI and its PKCE verifier", async () => {
  const { code, started } = await codeFor();
  const byOther = await request(stack.app)
    .post("/oidc/token")
    .auth("web", WEB_SECRET)
    .type("form")
    .send({ grant_type: "authorization_code", code, redirect_uri: WEB_CLIENT.redirect_uris[0]!, code_verifier: started.verifier });
  expect([byOther.status, byOther.body.error]).toEqual([400, "invalid_grant"]);
  const otherRedirect = await redeem(code, started.verifier, { redirect_uri: "http://127.0.0.1:49153/callback" });
  expect([otherRedirect.status, otherRedirect.body.error]).toEqual([400, "invalid_grant"]);
  const wrongVerifier = await redeem(code, client.randomPKCECodeVerifier());
  expect([wrongVerifier.status, wrongVerifier.body.error]).toEqual([400, "invalid_grant"]);
  const noVerifier = await redeem(code, undefined);
  expect([noVerifier.status, noVerifier.body.error]).toEqual([400, "invalid_grant"]);
  // None of those spent it: the client it belongs to still redeems it, once.
  expect((await redeem(code, started.verifier)).status).toBe(200);
});

test("a public client must use PKCE with S256: without it, or with plain, the authorization is refused at its redirect URI", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  const without = client.buildAuthorizationUrl(rp, { redirect_uri: LOOPBACK_REDIRECT, scope: "openid", state: "s" });
  const refused = redirectOf(await browser.get(`${without.pathname}${without.search}`));
  expect([refused.origin + refused.pathname, refused.searchParams.get("error")]).toEqual([
    PUBLIC_CLIENT.redirect_uris[0]!.replace("127.0.0.1", "127.0.0.1:49152"),
    "invalid_request",
  ]);
  expect(refused.searchParams.get("state")).toBe("s");
  const plain = client.buildAuthorizationUrl(rp, {
    redirect_uri: LOOPBACK_REDIRECT,
    scope: "openid",
    code_challenge: "a".repeat(43),
    code_challenge_method: "plain",
  });
  expect(redirectOf(await browser.get(`${plain.pathname}${plain.search}`)).searchParams.get("error")).toBe("invalid_request");
});

const ALMOST_REGISTERED: [string, string, string][] = [
  ["cli", "another case in the path", "http://127.0.0.1:49152/Callback"],
  ["cli", "a trailing slash", "http://127.0.0.1:49152/callback/"],
  ["cli", "user information before the host", "http://evil@127.0.0.1:49152/callback"],
  ["cli", "a host that only begins like it", "http://127.0.0.1.evil.example:49152/callback"],
  ["cli", "another loopback name than the registered one", "http://localhost:49152/callback"],
  ["cli", "https instead of http", "https://127.0.0.1:49152/callback"],
  ["cli", "a port with a leading zero", "http://127.0.0.1:08000/callback"],
  ["cli", "a query added", "http://127.0.0.1:49152/callback?next=/"],
  ["cli", "a fragment", "http://127.0.0.1:49152/callback#x"],
  ["cli", "a percent-encoded character", "http://127.0.0.1:49152/%63allback"],
  ["web", "another case in the host", "https://APP.example.com/oidc/callback"],
  ["web", "the default port written out", "https://app.example.com:443/oidc/callback"],
  ["web", "another port (only loopback registrations take any port)", "https://app.example.com:8443/oidc/callback"],
  ["web", "a trailing slash", "https://app.example.com/oidc/callback/"],
  ["web", "a suffix on the host", "https://app.example.com.evil.example/oidc/callback"],
  ["web", "a dot segment", "https://app.example.com/oidc/../oidc/callback"],
];

test.each(ALMOST_REGISTERED)(
  "%s: a redirect URI with %s is refused with a page, never a redirect (%s)",
  async (clientId, _what, redirectUri) => {
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      scope: "openid",
      redirect_uri: redirectUri,
      state: "s",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    const answer = await newBrowser(stack.app).get(`/oidc/auth?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.location).toBeUndefined();
    expect(answer.text).toContain("invalid_redirect_uri");
  },
);

test("a loopback redirect registered without a port is accepted on any port", async () => {
  for (const port of ["1", "8000", "65535"]) {
    const { back } = await codeFor({ redirect_uri: `http://127.0.0.1:${port}/callback` });
    expect(back.port).toBe(port);
  }
});

test("implicit and hybrid flows are refused", async () => {
  for (const responseType of ["id_token", "token", "code id_token", "code token"]) {
    const query = new URLSearchParams({
      client_id: "cli",
      response_type: responseType,
      scope: "openid",
      redirect_uri: LOOPBACK_REDIRECT,
      nonce: "n",
      state: "s",
    });
    const answer = await newBrowser(stack.app).get(`/oidc/auth?${query}`);
    // The error comes back in the query, or in the fragment (the default response mode of those response types).
    const back = answer.headers.location ? new URL(answer.headers.location) : null;
    const error = back
      ? (back.searchParams.get("error") ?? new URLSearchParams(back.hash.slice(1)).get("error"))
      : /unsupported_response_type/.exec(answer.text)?.[0];
    expect([responseType, error]).toEqual([responseType, "unsupported_response_type"]);
  }
});

const unsigned = (payload: object) =>
  `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;

test("alg none: a request object is refused, and so are an id_token_hint and a client assertion", async () => {
  const requestObject = unsigned({
    iss: "cli",
    aud: "http://app.test:3000",
    client_id: "cli",
    response_type: "code",
    redirect_uri: LOOPBACK_REDIRECT,
    scope: "openid",
  });
  const query = new URLSearchParams({
    client_id: "cli",
    response_type: "code",
    scope: "openid",
    redirect_uri: LOOPBACK_REDIRECT,
    request: requestObject,
  });
  const answer = await newBrowser(stack.app).get(`/oidc/auth?${query}`);
  expect(redirectOf(answer).searchParams.get("error")).toBe("request_not_supported");
  const hint = unsigned({
    iss: "http://app.test:3000",
    aud: "cli",
    sub: "583231",
    exp: Math.floor(Date.now() / 1000) + 300,
    iat: Math.floor(Date.now() / 1000),
  });
  const logout = await newBrowser(stack.app).get(`/oidc/session/end?${new URLSearchParams({ id_token_hint: hint })}`);
  expect(logout.status).toBe(400);
  expect(logout.text).toContain("invalid_request");
  // A client authenticating with an unsigned assertion in place of its secret.
  const { code, started } = await codeFor();
  const assertion = unsigned({
    iss: "web",
    sub: "web",
    aud: "http://app.test:3000/oidc/token",
    jti: "j1",
    exp: Math.floor(Date.now() / 1000) + 60,
  });
  const asserted = await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: LOOPBACK_REDIRECT,
    code_verifier: started.verifier,
    client_id: "web",
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: assertion,
  });
  expect([asserted.status, asserted.body.error]).toEqual([401, "invalid_client"]);
});

/** Why openid-client refused a response: its error's message and its cause's. */
async function whyRefused(attempt: Promise<unknown>): Promise<string> {
  const error = (await attempt.then(
    () => null,
    (caught: unknown) => caught,
  )) as (Error & { cause?: { message?: string } }) | null;
  if (!error) throw new Error("the relying party accepted it");
  return `${error.message} ${error.cause?.message ?? ""}`;
}

test("the state and nonce come back exactly as sent, so the relying party catches a mismatch", async () => {
  const { rp, started, back } = await codeFor();
  expect(back.searchParams.get("state")).toBe(started.state);
  expect(
    await whyRefused(
      client.authorizationCodeGrant(rp, back, {
        pkceCodeVerifier: started.verifier,
        expectedState: "another-state",
        expectedNonce: started.nonce,
      }),
    ),
  ).toMatch(/"state"/);
  const second = await codeFor();
  expect(
    await whyRefused(
      client.authorizationCodeGrant(second.rp, second.back, {
        pkceCodeVerifier: second.started.verifier,
        expectedState: second.started.state,
        expectedNonce: "another-nonce",
      }),
    ),
  ).toMatch(/"nonce"/);
});

test("an interaction is finished only by the browser that started it", async () => {
  const rp = await relyingParty(stack.app, "cli");
  const started = await startAuthorization(rp);
  const victim = newBrowser(stack.app);
  const toInteraction = await victim.get(`${started.url.pathname}${started.url.search}`);
  expect(toInteraction.status).toBe(303);
  const interaction = new URL(toInteraction.headers.location!, "http://app.test:3000").pathname;
  const attacker = newBrowser(stack.app);
  const answer = await attacker.get(interaction);
  expect(answer.status).toBe(400);
  expect(answer.headers.location).toBeUndefined();
});
