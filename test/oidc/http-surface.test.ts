// The provider's HTTP surface (SPEC §6, §9; ATTACKS.md "pages and answers off the main path"):
// cookies host-only and prefixed on https, signed; its own security headers (a CSP its pages and a
// form_post answer satisfy); the login host only; the sign-in rate limit; bad input answered 4xx;
// its counters in /metrics.
import request from "supertest";
import { safeReturnTo } from "../../src/auth/return-to.js";
import {
  client,
  newBrowser,
  PUBLIC_CLIENT,
  relyingParty,
  signInWithCode,
  startAuthorization,
  startOidcStack,
  walk,
  type TestStack,
} from "../support/oidc-stack.js";

const AUTHORIZE = new URLSearchParams({
  client_id: "cli",
  response_type: "code",
  scope: "openid",
  redirect_uri: "http://127.0.0.1:49152/callback",
  code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  code_challenge_method: "S256",
});

describe("on https", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startOidcStack({ env: { PUBLIC_URL: "https://login.test", PROTECTED_HOSTS: "app.test", TRUST_PROXY: "loopback" } });
  });
  afterAll(() => stack.close());

  const cookiesOf = (answer: request.Response) => (answer.headers["set-cookie"] as unknown as string[] | undefined) ?? [];

  test("the interaction's cookies are __Secure-, scoped to its paths; the provider's session cookie __Host-; all Secure, HttpOnly, SameSite=Lax, without Domain, signed", async () => {
    const started = await request(stack.app).get(`/oidc/auth?${AUTHORIZE}`);
    expect(started.status).toBe(303);
    const uid = /\/oidc\/interaction\/([^/?]+)/.exec(started.headers.location!)![1]!;
    const device = await request(stack.app).get("/oidc/device");
    const cookies = [...cookiesOf(started), ...cookiesOf(device)];
    const named = (prefix: string) => cookies.filter((cookie) => cookie.startsWith(prefix));
    expect(named("__Secure-gls-oidc-interaction=")[0]).toMatch(new RegExp(`path=/oidc/interaction/${uid};`, "i"));
    expect(named("__Secure-gls-oidc-resume=")[0]).toMatch(new RegExp(`path=/oidc/auth/${uid};`, "i"));
    expect(named("__Host-gls-oidc=")[0]).toMatch(/path=\/;/i);
    expect(named("__Host-gls-oidc.sig=")).toHaveLength(1);
    expect(named("__Secure-gls-oidc-resume.sig=")).toHaveLength(1);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__(Host|Secure)-gls-oidc/);
      expect(cookie).toMatch(/; secure/i);
      expect(cookie).toMatch(/; httponly/i);
      expect(cookie).toMatch(/; samesite=lax/i);
      expect(cookie).not.toMatch(/domain=/i);
    }
    // URLs the provider builds follow PUBLIC_URL, whatever the request's own scheme and forwarded headers say.
    const forged = await request(stack.app)
      .get("/.well-known/openid-configuration")
      .set("X-Forwarded-Proto", "http")
      .set("X-Forwarded-For", "198.51.100.7");
    expect(forged.body.issuer).toBe("https://login.test");
    expect(forged.body.token_endpoint).toBe("https://login.test/oidc/token");
  });

  test("the provider answers on the login host only: a protected host gets 404", async () => {
    for (const path of [
      "/.well-known/openid-configuration",
      `/oidc/auth?${AUTHORIZE}`,
      "/oidc/jwks",
      "/oidc/device",
      "/oidc/interaction/abc",
    ]) {
      const answer = await request(stack.app).get(path).set("Host", "app.test");
      expect([path, answer.status]).toEqual([path, 404]);
      expect(cookiesOf(answer)).toEqual([]);
    }
  });
});

describe("on http", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startOidcStack({ env: { AUTH_RATE_LIMIT: "40/1m" } });
  });
  afterAll(() => stack.close());

  test("its pages carry their own CSP (no inline script or style; the server's stylesheet), no framing, no referrer, no caching", async () => {
    const page = await request(stack.app).get("/oidc/device");
    expect(page.status).toBe(200);
    const csp = page.headers["content-security-policy"]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline/);
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.text).not.toMatch(/<script|<style|style=|onfocus=|onclick=/i);
    expect(page.text).toContain('href="/auth/assets/style.css"');
  });

  test("a form_post answer runs only its own script, whose hash the CSP names", async () => {
    const rp = await relyingParty(stack.app, "cli");
    const started = await startAuthorization(rp, { response_mode: "form_post" });
    const answer = await walk(newBrowser(stack.app), started.url.toString());
    expect(answer.status).toBe(200);
    const script = /<script>([\s\S]*?)<\/script>/.exec(answer.text)![1]!;
    const hash = (await import("node:crypto")).createHash("sha256").update(script).digest("base64");
    expect(answer.headers["content-security-policy"]).toContain(`'sha256-${hash}'`);
    expect(answer.headers["content-security-policy"]).not.toMatch(/form-action/);
    expect(answer.text).toContain(`action="${PUBLIC_CLIENT.redirect_uris[0]!.replace("127.0.0.1", "127.0.0.1:49152")}"`);
  });

  test("bad input is a 4xx with an OAuth error, never a 500", async () => {
    const paths = [
      "token: a repeated parameter",
      "token: a body that is no JSON",
      "token: the password grant",
      "token: client_credentials",
      "auth: a client that is not the redirect's",
      "auth: an unknown client",
      "userinfo: a token that is none",
      "interaction: an undecodable uid",
    ];
    const answers = await Promise.all([
      request(stack.app).post("/oidc/token").type("form").send("grant_type=authorization_code&grant_type=refresh_token&client_id=cli"),
      request(stack.app).post("/oidc/token").type("json").send("{not json"),
      request(stack.app).post("/oidc/token").type("form").send({ grant_type: "password", username: "a", password: "b", client_id: "cli" }),
      request(stack.app).post("/oidc/token").type("form").send({ grant_type: "client_credentials", client_id: "cli" }),
      request(stack.app).get(`/oidc/auth?${AUTHORIZE}&client_id=web`),
      request(stack.app).get("/oidc/auth?client_id=nobody&response_type=code&redirect_uri=https://evil.example/"),
      request(stack.app).get("/oidc/me").set("Authorization", "Bearer not-a-token"),
      request(stack.app).get("/oidc/interaction/%ff%fe"),
    ]);
    answers.forEach((answer, index) => expect([paths[index], answer.status >= 400 && answer.status < 500]).toEqual([paths[index], true]));
    expect(answers[0]!.body.error).toBe("invalid_request");
    expect(answers[2]!.body.error).toBe("unsupported_grant_type");
    expect(answers[3]!.body.error).toBe("unsupported_grant_type");
    expect((await request(stack.app).get("/oidc/nothing-here")).status).toBe(404);
    // A post-logout redirect without a client to have registered it is dropped, never followed.
    const logout = await request(stack.app).get("/oidc/session/end?post_logout_redirect_uri=https://evil.example/");
    expect(logout.status).toBe(200);
    expect(logout.text).not.toContain("evil.example");
    // Revoking what is no token at all is a 200, as RFC 7009 §2.2 has it: nothing to learn from it.
    expect(
      (
        await request(stack.app)
          .post("/oidc/token/revocation")
          .type("form")
          .send({ token: "x".repeat(5000), client_id: "cli" })
      ).status,
    ).toBe(200);
  });

  test("anonymous authorizations count against the sign-in rate limit (each stores an interaction)", async () => {
    const limited = await startOidcStack({ env: { AUTH_RATE_LIMIT: "3/1m" } });
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 4; index += 1) statuses.push((await request(limited.app).get(`/oidc/auth?${AUTHORIZE}`)).status);
      expect(statuses).toEqual([303, 303, 303, 429]);
    } finally {
      await limited.close();
    }
  });

  test("only the provider's own spelling of a path reaches it: another case, a trailing or doubled slash is 404, limited or not, storing nothing", async () => {
    const limited = await startOidcStack({ env: { AUTH_RATE_LIMIT: "2/1m" } });
    try {
      const device = (path: string) => request(limited.app).post(path).type("form").send({ client_id: "cli", scope: "openid" });
      const odd = [
        () => device("/OIDC/DEVICE/AUTH"),
        () => device("/oidc/device/auth/"),
        () => device("/oidc//device/auth"),
        () => request(limited.app).get(`/OIDC/AUTH?${AUTHORIZE}`),
        () => request(limited.app).get(`/oidc/auth/?${AUTHORIZE}`),
        () => request(limited.app).post("/OIDC/DEVICE").type("form").send({ user_code: "BCDF-GHJK" }),
        () => request(limited.app).get("/OIDC/DEVICE"),
        () => request(limited.app).get("/oidc/session/end/"),
        () => request(limited.app).get("/.WELL-KNOWN/openid-configuration"),
      ];
      // Three times each, past the limit of two: every one a 404, never a 429 nor a 200 or 303.
      for (let round = 0; round < 3; round += 1) {
        for (const [index, send] of odd.entries()) expect([index, (await send()).status]).toEqual([index, 404]);
      }
      expect(await limited.redis.keys(`${limited.keyPrefix}oidc:*`)).toEqual([]);
      // offline_access is not dropped by another spelling of the authorization endpoint: there is none.
      const offline = new URLSearchParams({ ...Object.fromEntries(AUTHORIZE), scope: "openid offline_access" });
      expect((await request(limited.app).get(`/OIDC/AUTH?${offline}`)).status).toBe(404);
      // The canonical spellings are what the limit counts.
      const statuses = [];
      for (let index = 0; index < 3; index += 1) statuses.push((await device("/oidc/device/auth")).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  test("its counters are in /metrics: authorizations, and token requests by grant and outcome", async () => {
    const rp = await relyingParty(stack.app, "cli");
    const tokens = await signInWithCode(stack.app, newBrowser(stack.app), rp);
    await client.refreshTokenGrant(rp, tokens.refresh_token!);
    const metrics = (await request(stack.app).get("/metrics")).text;
    expect(metrics).toMatch(/gls_oidc_grants_total\{outcome="issued"\} [1-9]/);
    expect(metrics).toMatch(/gls_oidc_token_requests_total\{grant_type="authorization_code",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/gls_oidc_token_requests_total\{grant_type="refresh_token",outcome="ok"\} 1/);
  });

  test("returnTo keeps the interaction's address, query and all, through the sign-in", () => {
    for (const path of ["/oidc/interaction/AbC_d-9?signed_in=1", "/oidc/interaction/xyz?fresh_since=1700000000000.aBc-_d"])
      expect(safeReturnTo(path, "http://app.test:3000")).toBe(path);
  });
});
