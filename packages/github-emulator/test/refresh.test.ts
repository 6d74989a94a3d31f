import request from "supertest";
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator } from "../src/index.js";
import { testGitHubApp, testOAuthApp, tokensFor } from "./support/emulator-server.js";

const githubApp = testGitHubApp(["http://127.0.0.1:3000/cb"]);
const otherApp = testGitHubApp(["http://127.0.0.1:3000/cb"], { clientId: "Iv23liOtherGitHubApp", clientSecret: "other-secret" });
const oauthApp = testOAuthApp("http://127.0.0.1:3000/cb");

let clock: ManualClock;
let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  clock = new ManualClock();
  emulator = createEmulator({ clients: [githubApp, otherApp, oauthApp], clock });
});

function refresh(refreshToken: string | undefined, client = githubApp) {
  return request(emulator.app)
    .post("/login/oauth/access_token")
    .set("Accept", "application/json")
    .send({ client_id: client.clientId, client_secret: client.clientSecret, grant_type: "refresh_token", refresh_token: refreshToken });
}

function getUser(token: string) {
  return request(emulator.app).get("/api/v3/user").set("User-Agent", "test").set("Authorization", `token ${token}`);
}

describe("refresh_token grant", () => {
  it("rotates strictly: a new pair with fresh lifetimes; the old refresh AND old access token die at once", async () => {
    const first = await tokensFor(emulator.app, githubApp);
    clock.advance(3_600_000);
    const answer = await refresh(first.refresh_token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^ghu_[A-Za-z0-9]{36}$/),
      expires_in: 28800,
      refresh_token: expect.stringMatching(/^ghr_[A-Za-z0-9]{76}$/),
      refresh_token_expires_in: 15897600,
      scope: "",
      token_type: "bearer",
    });
    expect(answer.body.access_token).not.toBe(first.access_token);
    expect(answer.body.refresh_token).not.toBe(first.refresh_token);
    expect((await getUser(first.access_token)).status).toBe(401);
    expect((await getUser(answer.body.access_token)).status).toBe(200);
    expect(emulator.stats.refreshes).toBe(1);

    // The new access token lives 8 hours from the refresh, not from the first sign-in.
    clock.advance(28_799_000);
    expect((await getUser(answer.body.access_token)).status).toBe(200);
  });

  it("a reused refresh token is bad_refresh_token (HTTP 200) and counted as a reuse", async () => {
    const first = await tokensFor(emulator.app, githubApp);
    const second = await refresh(first.refresh_token);
    const reuse = await refresh(first.refresh_token);
    expect(reuse.status).toBe(200);
    expect(reuse.body).toEqual({
      error: "bad_refresh_token",
      error_description: "The refresh token passed is incorrect or expired.",
      error_uri: expect.stringMatching(/^https:\/\/docs\.github\.com\/.*#bad-verification-code$/),
    });
    expect(emulator.stats.refreshTokenReuses).toBe(1);
    expect(emulator.stats.refreshes).toBe(1);
    // The reuse does not hurt the rotated pair.
    expect((await getUser(second.body.access_token)).status).toBe(200);
  });

  it("keeps an OAuth App's scopes and comma format on refresh", async () => {
    const expiring = testOAuthApp("http://127.0.0.1:3000/cb", { clientId: "Ov23liExpiringOAuth1", expiringTokens: true });
    emulator = createEmulator({ clients: [expiring], clock });
    const first = await tokensFor(emulator.app, expiring, { scope: "read:user read:org" });
    expect(first.scope).toBe("read:user,read:org");
    const answer = await refresh(first.refresh_token, expiring);
    expect(answer.body.access_token).toMatch(/^gho_/);
    expect(answer.body.scope).toBe("read:user,read:org");
  });

  it.each([
    ["an unknown refresh token", async () => "ghr_" + "x".repeat(76)],
    ["a missing refresh token", async () => undefined],
    ["an access token in its place", async () => (await tokensFor(emulator.app, githubApp)).access_token],
  ])("refuses %s with bad_refresh_token", async (_case, token) => {
    expect((await refresh(await token())).body.error).toBe("bad_refresh_token");
    expect(emulator.stats.refreshTokenReuses).toBe(0);
  });

  it("refuses another app's refresh token, and wrong client credentials", async () => {
    const tokens = await tokensFor(emulator.app, githubApp);
    expect((await refresh(tokens.refresh_token, otherApp)).body.error).toBe("bad_refresh_token");
    expect((await refresh(tokens.refresh_token, { ...githubApp, clientSecret: "wrong" })).body.error).toBe("incorrect_client_credentials");
    expect((await refresh(tokens.refresh_token)).body.access_token).toMatch(/^ghu_/); // still usable by its own app
  });

  it("refuses an expired refresh token (by the emulator clock)", async () => {
    const tokens = await tokensFor(emulator.app, githubApp);
    clock.advance(15_897_600_000);
    expect((await refresh(tokens.refresh_token)).body.error).toBe("bad_refresh_token");
  });

  it("after revokeAuthorization, access tokens get 401 and refresh tokens bad_refresh_token", async () => {
    const tokens = await tokensFor(emulator.app, githubApp);
    const otherUser = await tokensFor(emulator.app, githubApp, { login: "monalisa" });
    emulator.revokeAuthorization("octocat", githubApp.clientId);
    expect((await getUser(tokens.access_token)).body).toEqual({
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    });
    expect((await refresh(tokens.refresh_token)).body.error).toBe("bad_refresh_token");
    expect((await getUser(otherUser.access_token)).status).toBe(200);
  });
});

describe("access token expiry", () => {
  it("an expiring token works for 8 hours by the emulator clock, then gets 401 Bad credentials", async () => {
    const tokens = await tokensFor(emulator.app, githubApp);
    clock.advance(28_799_000);
    expect((await getUser(tokens.access_token)).status).toBe(200);
    clock.advance(1_000);
    const answer = await getUser(tokens.access_token);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
  });

  it("honours a custom accessTokenTtlSeconds, and non-expiring OAuth App tokens never expire", async () => {
    emulator = createEmulator({ clients: [githubApp, oauthApp], clock, accessTokenTtlSeconds: 60 });
    const short = await tokensFor(emulator.app, githubApp);
    const forever = await tokensFor(emulator.app, oauthApp);
    expect(short.expires_in).toBe(60);
    clock.advance(60_000);
    expect((await getUser(short.access_token)).status).toBe(401);
    clock.advance(400 * 24 * 3_600_000);
    expect((await getUser(forever.access_token)).status).toBe(200);
  });
});
