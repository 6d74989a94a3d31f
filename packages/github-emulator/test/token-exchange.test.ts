import request from "supertest";
import type { Express } from "express";
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator, redactedSecret } from "../src/index.js";
import { pkcePair, testGitHubApp, testOAuthApp } from "./support/emulator-server.js";

const CALLBACK = "http://127.0.0.1:3000/auth/callback";
const oauthApp = testOAuthApp(CALLBACK);
const githubApp = testGitHubApp([CALLBACK]);
const DOCS = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/";

let clock: ManualClock;
let app: Express;
let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  clock = new ManualClock();
  emulator = createEmulator({ clients: [oauthApp, githubApp], clock });
  app = emulator.app;
});

/** Consents through the form and returns the code. */
async function codeFor(clientId: string, extra: Record<string, string> = {}): Promise<string> {
  const answer = await request(app)
    .post("/login/oauth/authorize")
    .type("form")
    .send({ client_id: clientId, redirect_uri: CALLBACK, state: "s", login: "octocat", decision: "authorize", ...extra });
  const code = new URL(answer.headers.location ?? "").searchParams.get("code");
  if (!code) throw new Error(`no code in ${answer.headers.location}`);
  return code;
}

const credentials = (client: typeof oauthApp) => ({ client_id: client.clientId, client_secret: client.clientSecret });

async function exchangeJson(params: Record<string, unknown>) {
  return request(app).post("/login/oauth/access_token").set("Accept", "application/json").send(params);
}

describe("code exchange: input forms and output formats", () => {
  it("form body in, form-encoded out by default (GitHub's default format)", async () => {
    const code = await codeFor(oauthApp.clientId, { scope: "user,gist user:email" });
    const answer = await request(app)
      .post("/login/oauth/access_token")
      .type("form")
      .send({ ...credentials(oauthApp), code, redirect_uri: CALLBACK });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    const body = new URLSearchParams(answer.text);
    expect(body.get("access_token")).toMatch(/^gho_[A-Za-z0-9]{36}$/);
    expect(body.get("scope")).toBe("user,gist"); // normalised, comma without space
    expect(answer.text).toContain("scope=user%2Cgist");
    expect(body.get("token_type")).toBe("bearer");
    expect(body.has("refresh_token")).toBe(false); // an OAuth App without expiring tokens
  });

  it("JSON body in, JSON out with Accept: application/json", async () => {
    const code = await codeFor(oauthApp.clientId, { scope: "read:user" });
    const answer = await request(app)
      .post("/login/oauth/access_token")
      .set("Content-Type", "application/json; charset=utf-8")
      .set("Accept", "application/json")
      .send(JSON.stringify({ ...credentials(oauthApp), code }));
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(Object.keys(answer.body)).toEqual(["access_token", "scope", "token_type"]);
    expect(answer.body).toMatchObject({ scope: "read:user", token_type: "bearer" });
  });

  it("query string in, XML out with Accept: application/xml", async () => {
    const code = await codeFor(oauthApp.clientId, { scope: "repo gist" });
    const answer = await request(app)
      .post(`/login/oauth/access_token?${new URLSearchParams({ ...credentials(oauthApp), code })}`)
      .set("Accept", "application/xml");
    expect(answer.headers["content-type"]).toMatch(/^application\/xml/);
    expect(answer.text).toMatch(
      /^<OAuth><access_token>gho_[A-Za-z0-9]{36}<\/access_token><scope>repo,gist<\/scope><token_type>bearer<\/token_type><\/OAuth>$/,
    );
  });

  it("the body wins over the query string", async () => {
    const code = await codeFor(oauthApp.clientId);
    const answer = await request(app)
      .post(`/login/oauth/access_token?code=wrong&client_id=${oauthApp.clientId}`)
      .set("Accept", "application/json")
      .type("form")
      .send({ code, client_secret: oauthApp.clientSecret });
    expect(answer.body.access_token).toMatch(/^gho_/);
  });

  it("records every token request as received, its secrets redacted", async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(githubApp.clientId, { code_challenge: challenge, code_challenge_method: "S256" });
    await exchangeJson({ ...credentials(githubApp), code, redirect_uri: CALLBACK, code_verifier: verifier });
    await exchangeJson({ ...credentials(githubApp), code });
    expect(emulator.stats.tokenRequests).toEqual([
      {
        grantType: "",
        params: {
          client_id: githubApp.clientId,
          client_secret: redactedSecret(githubApp.clientSecret),
          code: redactedSecret(code),
          redirect_uri: CALLBACK,
          code_verifier: verifier,
        },
        contentType: "application/json",
        accept: "application/json",
        outcome: "ok",
      },
      expect.objectContaining({ outcome: "bad_verification_code" }),
    ]);
    expect(emulator.stats.codeExchanges).toBe(1);
  });
});

describe("GitHub App tokens", () => {
  it('ghu_ token, scope "", expiry fields, and a Date header from the emulator clock', async () => {
    const code = await codeFor(githubApp.clientId, { scope: "repo" });
    const answer = await exchangeJson({ ...credentials(githubApp), code });
    expect(Object.keys(answer.body)).toEqual([
      "access_token",
      "expires_in",
      "refresh_token",
      "refresh_token_expires_in",
      "scope",
      "token_type",
    ]);
    expect(answer.body.access_token).toMatch(/^ghu_[A-Za-z0-9]{36}$/);
    expect(answer.body.refresh_token).toMatch(/^ghr_[A-Za-z0-9]{76}$/);
    expect(answer.body).toMatchObject({ expires_in: 28800, refresh_token_expires_in: 15897600, scope: "", token_type: "bearer" });
    expect(answer.headers.date).toBe(new Date(clock.now()).toUTCString());
    expect(emulator.issuedAccessTokens()).toEqual([answer.body.access_token]);
    expect(emulator.issuedRefreshTokens()).toEqual([answer.body.refresh_token]);
  });

  it("a GitHub App that opted out of expiring tokens gets no expiry fields", async () => {
    const nonExpiring = testGitHubApp([CALLBACK], { clientId: "Iv23liNonExpiring001", expiringTokens: false });
    emulator = createEmulator({ clients: [nonExpiring], clock });
    app = emulator.app;
    const code = await codeFor(nonExpiring.clientId);
    const answer = await exchangeJson({ ...credentials(nonExpiring), code });
    expect(Object.keys(answer.body)).toEqual(["access_token", "scope", "token_type"]);
  });

  it("an OAuth App gets an expiring token + gho_/ghr_ pair when it opted in, or per sign-in with offline_access", async () => {
    const code = await codeFor(oauthApp.clientId, { scope: "read:user offline_access" });
    const answer = await exchangeJson({ ...credentials(oauthApp), code });
    expect(answer.body.access_token).toMatch(/^gho_/);
    expect(answer.body.refresh_token).toMatch(/^ghr_/);
    expect(answer.body.scope).toBe("read:user"); // offline_access is never a scope
  });
});

describe("token endpoint errors: HTTP 200 with error, error_description, error_uri", () => {
  it.each([
    [
      "incorrect_client_credentials",
      async () => ({ client_id: oauthApp.clientId, client_secret: "wrong", code: await codeFor(oauthApp.clientId) }),
      `${DOCS}#incorrect-client-credentials`,
    ],
    [
      "incorrect_client_credentials",
      async () => ({ client_id: "unknown", client_secret: "x", code: "c" }),
      `${DOCS}#incorrect-client-credentials`,
    ],
    ["bad_verification_code", async () => ({ ...credentials(oauthApp), code: "0123456789abcdef0123" }), `${DOCS}#bad-verification-code`],
    [
      "bad_verification_code",
      async () => ({ ...credentials(oauthApp), code: await codeFor(githubApp.clientId) }),
      `${DOCS}#bad-verification-code`,
    ],
    [
      "redirect_uri_mismatch",
      async () => ({ ...credentials(oauthApp), code: await codeFor(oauthApp.clientId), redirect_uri: `${CALLBACK}/other` }),
      `${DOCS}#redirect-uri-mismatch2`,
    ],
    [
      "unsupported_grant_type",
      async () => ({ ...credentials(oauthApp), grant_type: "password" }),
      expect.stringMatching(/^https:\/\/docs\.github\.com\//),
    ],
  ])("%s", async (error, params, errorUri) => {
    const answer = await exchangeJson(await params());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ error, error_description: expect.any(String), error_uri: errorUri });
    expect(answer.body.error_description.length).toBeGreaterThan(10);
  });

  it("unverified_user_email for a user without a verified primary email (hubot)", async () => {
    const code = await codeFor(oauthApp.clientId, { login: "hubot" });
    const answer = await exchangeJson({ ...credentials(oauthApp), code });
    expect(answer.body).toEqual({
      error: "unverified_user_email",
      error_description: "The user must have a verified primary email.",
      error_uri: `${DOCS}#unverified-user-email`,
    });
  });

  it("errors follow content negotiation: form-encoded by default, XML on request", async () => {
    const form = await request(app)
      .post("/login/oauth/access_token")
      .type("form")
      .send({ ...credentials(oauthApp), code: "nope" });
    expect(form.status).toBe(200);
    expect(form.text).toBe(
      "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps%2Fmanaging-oauth-apps%2Ftroubleshooting-oauth-app-access-token-request-errors%2F%23bad-verification-code",
    );
    const xml = await request(app)
      .post("/login/oauth/access_token")
      .set("Accept", "application/xml")
      .type("form")
      .send({ ...credentials(oauthApp), code: "nope" });
    expect(xml.text).toMatch(/^<OAuth><error>bad_verification_code<\/error><error_description>/);
  });

  it("arrays and objects in parameters count as missing, never crash", async () => {
    const code = await codeFor(oauthApp.clientId);
    const repeated = await request(app)
      .post(`/login/oauth/access_token?code=${code}&code=${code}`)
      .set("Accept", "application/json")
      .type("form")
      .send({ ...credentials(oauthApp) });
    expect(repeated.body.error).toBe("bad_verification_code");
    const bracketed = await request(app)
      .post("/login/oauth/access_token")
      .set("Accept", "application/json")
      .type("form")
      .send(`code[]=${code}&client_id=${oauthApp.clientId}&client_secret=${oauthApp.clientSecret}`);
    expect(bracketed.body.error).toBe("bad_verification_code");
    const objects = await exchangeJson({ client_id: { $ne: null }, client_secret: oauthApp.clientSecret, code });
    expect(objects.body.error).toBe("incorrect_client_credentials");
    const grantArray = await exchangeJson({ ...credentials(oauthApp), code, grant_type: ["refresh_token"] });
    expect(grantArray.body.error).toBe("unsupported_grant_type");
  });

  it("malformed JSON gets a 400, and the emulator keeps working", async () => {
    const answer = await request(app).post("/login/oauth/access_token").set("Content-Type", "application/json").send('{"code":');
    expect(answer.status).toBe(400);
    const code = await codeFor(oauthApp.clientId);
    expect((await exchangeJson({ ...credentials(oauthApp), code })).body.access_token).toMatch(/^gho_/);
  });
});

describe("codes: single use, 10 minutes, PKCE", () => {
  it("a code works once; the second exchange is bad_verification_code", async () => {
    const code = await codeFor(oauthApp.clientId);
    expect((await exchangeJson({ ...credentials(oauthApp), code })).body.access_token).toMatch(/^gho_/);
    expect((await exchangeJson({ ...credentials(oauthApp), code })).body.error).toBe("bad_verification_code");
    expect(emulator.stats.codeExchanges).toBe(1);
  });

  it("a failed attempt burns the code (here: a wrong redirect_uri)", async () => {
    const code = await codeFor(oauthApp.clientId);
    expect((await exchangeJson({ ...credentials(oauthApp), code, redirect_uri: "http://127.0.0.1:3000/x" })).body.error).toBe(
      "redirect_uri_mismatch",
    );
    expect((await exchangeJson({ ...credentials(oauthApp), code, redirect_uri: CALLBACK })).body.error).toBe("bad_verification_code");
  });

  it("a code expires after 10 minutes by the emulator clock", async () => {
    const fresh = await codeFor(oauthApp.clientId);
    const stale = await codeFor(oauthApp.clientId);
    clock.advance(599_000);
    expect((await exchangeJson({ ...credentials(oauthApp), code: fresh })).body.access_token).toMatch(/^gho_/);
    clock.advance(1_000);
    expect((await exchangeJson({ ...credentials(oauthApp), code: stale })).body.error).toBe("bad_verification_code");
  });

  it("PKCE: the right verifier works; a wrong or missing one is refused", async () => {
    const { verifier, challenge } = pkcePair();
    const pkce = { code_challenge: challenge, code_challenge_method: "S256" };
    const missing = await exchangeJson({ ...credentials(githubApp), code: await codeFor(githubApp.clientId, pkce) });
    expect(missing.body.error).toBe("bad_verification_code");
    const wrong = await exchangeJson({
      ...credentials(githubApp),
      code: await codeFor(githubApp.clientId, pkce),
      code_verifier: pkcePair().verifier,
    });
    expect(wrong.body.error).toBe("bad_verification_code");
    const right = await exchangeJson({ ...credentials(githubApp), code: await codeFor(githubApp.clientId, pkce), code_verifier: verifier });
    expect(right.body.access_token).toMatch(/^ghu_/);
  });

  it("an omitted redirect_uri at authorize binds the code to the first registered callback", async () => {
    const answer = await request(app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ client_id: githubApp.clientId, login: "octocat", decision: "authorize" });
    expect(answer.headers.location).toMatch(new RegExp(`^${CALLBACK}\\?code=`));
    const code = new URL(answer.headers.location ?? "").searchParams.get("code") ?? "";
    expect((await exchangeJson({ ...credentials(githubApp), code, redirect_uri: CALLBACK })).body.access_token).toMatch(/^ghu_/);
  });
});
