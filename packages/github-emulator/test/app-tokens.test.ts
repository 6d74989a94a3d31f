import request from "supertest";
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator } from "../src/index.js";
import { testGitHubApp, testOAuthApp, tokensFor } from "./support/emulator-server.js";

const githubApp = testGitHubApp(["http://127.0.0.1:3000/cb"]);
const oauthApp = testOAuthApp("http://127.0.0.1:3000/cb");

let clock: ManualClock;
let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  emulator = createEmulator({ clients: [githubApp, oauthApp], clock, webBaseUrl: "http://gh.test" });
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

function appCall(method: "post" | "patch" | "delete", path: string, body: unknown, client = githubApp) {
  return request(emulator.app)
    [method](`/api/v3/applications/${client.clientId}/${path}`)
    .set("User-Agent", "app-tokens-test")
    .set("Authorization", basic(client.clientId, client.clientSecret))
    .send(body as object);
}

function userStatus(token: string) {
  return request(emulator.app)
    .get("/api/v3/user")
    .set("User-Agent", "t")
    .set("Authorization", `token ${token}`)
    .then((answer) => answer.status);
}

const refresh = (refreshToken: string | undefined) =>
  request(emulator.app).post("/login/oauth/access_token").set("Accept", "application/json").send({
    client_id: githubApp.clientId,
    client_secret: githubApp.clientSecret,
    grant_type: "refresh_token",
    refresh_token: refreshToken,
  });

describe("POST /applications/{client_id}/token (check)", () => {
  it("answers the Authorization object for a live token", async () => {
    const { access_token } = await tokensFor(emulator.app, githubApp);
    const answer = await appCall("post", "token", { access_token });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: expect.any(Number),
      url: expect.stringMatching(/^http:\/\/gh\.test\/api\/v3\/authorizations\/\d+$/),
      scopes: [],
      token: access_token,
      token_last_eight: access_token.slice(-8),
      hashed_token: expect.stringMatching(/^[0-9a-f]{64}$/),
      app: { client_id: githubApp.clientId, name: githubApp.name, url: expect.any(String) },
      note: null,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      expires_at: "2026-01-01T08:00:00Z",
      user: { login: "octocat", id: 583231 },
    });
  });

  it("shows an OAuth App token's scopes and a null expires_at", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp, { scope: "read:user,user:email" });
    const answer = await appCall("post", "token", { access_token }, oauthApp);
    expect(answer.body).toMatchObject({ scopes: ["read:user", "user:email"], expires_at: null });
  });

  it("404 for unknown, revoked or another app's tokens; 422 without access_token", async () => {
    expect((await appCall("post", "token", { access_token: "ghu_nope" })).status).toBe(404);
    const other = await tokensFor(emulator.app, oauthApp);
    expect((await appCall("post", "token", { access_token: other.access_token })).status).toBe(404);
    const missing = await appCall("post", "token", {});
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain("access_token");
  });

  it("401 Requires authentication for bad Basic credentials; 404 when the path names another client", async () => {
    const { access_token } = await tokensFor(emulator.app, githubApp);
    const wrongSecret = await request(emulator.app)
      .post(`/api/v3/applications/${githubApp.clientId}/token`)
      .set("User-Agent", "t")
      .set("Authorization", basic(githubApp.clientId, "wrong"))
      .send({ access_token });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.message).toBe("Requires authentication");
    const noAuth = await request(emulator.app)
      .post(`/api/v3/applications/${githubApp.clientId}/token`)
      .set("User-Agent", "t")
      .send({ access_token });
    expect(noAuth.status).toBe(401);
    const otherPath = await request(emulator.app)
      .post(`/api/v3/applications/${oauthApp.clientId}/token`)
      .set("User-Agent", "t")
      .set("Authorization", basic(githubApp.clientId, githubApp.clientSecret))
      .send({ access_token });
    expect(otherPath.status).toBe(404);
  });
});

describe("PATCH /applications/{client_id}/token (reset)", () => {
  it("answers a new token; the old one dies at once, and the refresh token follows the new one", async () => {
    const tokens = await tokensFor(emulator.app, githubApp);
    const answer = await appCall("patch", "token", { access_token: tokens.access_token });
    expect(answer.status).toBe(200);
    const fresh: string = answer.body.token;
    expect(fresh).toMatch(/^ghu_[A-Za-z0-9]{36}$/);
    expect(fresh).not.toBe(tokens.access_token);
    expect(await userStatus(tokens.access_token)).toBe(401);
    expect(await userStatus(fresh)).toBe(200);
    expect(emulator.issuedAccessTokens()).toContain(fresh);
    // Refreshing afterwards rotates away the *reset* token.
    expect((await refresh(tokens.refresh_token)).body.access_token).toMatch(/^ghu_/);
    expect(await userStatus(fresh)).toBe(401);
  });
});

describe("DELETE /applications/{client_id}/token and /grant", () => {
  it("token: 204, that token (and its refresh token) stop working; others stay", async () => {
    const first = await tokensFor(emulator.app, githubApp);
    const second = await tokensFor(emulator.app, githubApp);
    const answer = await appCall("delete", "token", { access_token: first.access_token });
    expect(answer.status).toBe(204);
    expect(await userStatus(first.access_token)).toBe(401);
    expect((await refresh(first.refresh_token)).body.error).toBe("bad_refresh_token");
    expect(await userStatus(second.access_token)).toBe(200);
    expect((await appCall("delete", "token", { access_token: first.access_token })).status).toBe(404);
    expect((await appCall("delete", "token", {})).status).toBe(422);
  });

  it("grant: 204, every token of that user for that app dies; other users and apps keep theirs", async () => {
    const first = await tokensFor(emulator.app, githubApp);
    const second = await tokensFor(emulator.app, githubApp);
    const mona = await tokensFor(emulator.app, githubApp, { login: "monalisa" });
    const otherApp = await tokensFor(emulator.app, oauthApp);
    expect((await appCall("delete", "grant", { access_token: first.access_token })).status).toBe(204);
    expect(await userStatus(first.access_token)).toBe(401);
    expect(await userStatus(second.access_token)).toBe(401);
    expect((await refresh(second.refresh_token)).body.error).toBe("bad_refresh_token");
    expect(await userStatus(mona.access_token)).toBe(200);
    expect(await userStatus(otherApp.access_token)).toBe(200);
  });
});
