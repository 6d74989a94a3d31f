import request from "supertest";
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator } from "../src/index.js";
import { testGitHubApp, testOAuthApp } from "./support/emulator-server.js";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const githubApp = testGitHubApp(["http://127.0.0.1:3000/cb"]);
const oauthApp = testOAuthApp("http://127.0.0.1:3000/cb");

let clock: ManualClock;
let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  clock = new ManualClock();
  emulator = createEmulator({ clients: [githubApp, oauthApp], clock });
});

async function deviceCode(client = githubApp, scope?: string) {
  const answer = await request(emulator.app)
    .post("/login/device/code")
    .set("Accept", "application/json")
    .send({ client_id: client.clientId, ...(scope ? { scope } : {}) });
  return answer.body as {
    device_code: string;
    user_code: string;
    verification_uri: string;
    expires_in: number;
    interval: number;
    error?: string;
  };
}

function poll(deviceCodeValue: string | undefined, client = githubApp, extra: Record<string, string> = {}) {
  return request(emulator.app)
    .post("/login/oauth/access_token")
    .set("Accept", "application/json")
    .send({ client_id: client.clientId, device_code: deviceCodeValue, grant_type: DEVICE_GRANT, ...extra });
}

describe("POST /login/device/code", () => {
  it("answers a 40-character device code, an XXXX-XXXX user code, the verification page, 900 s and 5 s", async () => {
    const codes = await deviceCode();
    expect(codes).toEqual({
      device_code: expect.stringMatching(/^[0-9a-f]{40}$/),
      user_code: expect.stringMatching(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/),
      verification_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1(:\d+)?\/login\/device$/),
      expires_in: 900,
      interval: 5,
    });
  });

  it("is form-encoded unless Accept asks for JSON, and needs no client secret", async () => {
    const answer = await request(emulator.app).post("/login/device/code").type("form").send({ client_id: githubApp.clientId });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(new URLSearchParams(answer.text).get("interval")).toBe("5");
  });

  it("an unknown client is incorrect_client_credentials; a disabled device flow is device_flow_disabled (HTTP 200)", async () => {
    const unknown = await request(emulator.app).post("/login/device/code").set("Accept", "application/json").send({ client_id: "nope" });
    expect(unknown.status).toBe(200);
    expect(unknown.body.error).toBe("incorrect_client_credentials");
    emulator.setDeviceFlowEnabled(githubApp.clientId, false);
    const disabled = await deviceCode();
    expect(disabled).toMatchObject({
      error: "device_flow_disabled",
      error_description: "Device Flow must be explicitly enabled for this App",
    });
    expect(disabled).not.toHaveProperty("device_code");
  });
});

describe("polling with grant_type=device_code", () => {
  it("is authorization_pending (HTTP 200) until approved, then a GitHub App's expiring token pair, once", async () => {
    const codes = await deviceCode();
    const pending = await poll(codes.device_code);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      error: "authorization_pending",
      error_description: expect.any(String),
      error_uri: expect.stringMatching(/^https:\/\/docs\.github\.com\//),
    });
    emulator.approveDevice(codes.user_code, "octocat");
    clock.advance(5_000);
    const approved = await poll(codes.device_code);
    expect(approved.body).toEqual({
      access_token: expect.stringMatching(/^ghu_/),
      expires_in: 28800,
      refresh_token: expect.stringMatching(/^ghr_/),
      refresh_token_expires_in: 15897600,
      scope: "",
      token_type: "bearer",
    });
    expect(emulator.stats.deviceGrants).toBe(1);
    const user = await request(emulator.app)
      .get("/api/v3/user")
      .set("User-Agent", "t")
      .set("Authorization", `token ${approved.body.access_token}`);
    expect(user.body.login).toBe("octocat");
    clock.advance(5_000);
    expect((await poll(codes.device_code)).body.error).toBe("incorrect_device_code");
  });

  it("an OAuth App gets a non-expiring gho_ token with the granted scopes", async () => {
    const codes = await deviceCode(oauthApp, "read:user user:email");
    emulator.approveDevice(codes.user_code, "octocat");
    const approved = await poll(codes.device_code, oauthApp);
    expect(approved.body).toEqual({ access_token: expect.stringMatching(/^gho_/), scope: "read:user,user:email", token_type: "bearer" });
  });

  it("polling sooner than the interval is slow_down with the interval 5 s longer, which then holds", async () => {
    const codes = await deviceCode();
    expect((await poll(codes.device_code)).body.error).toBe("authorization_pending");
    clock.advance(4_999);
    const tooSoon = await poll(codes.device_code);
    expect(tooSoon.body).toMatchObject({ error: "slow_down", interval: 10 });
    clock.advance(9_999);
    expect((await poll(codes.device_code)).body).toMatchObject({ error: "slow_down", interval: 15 });
    clock.advance(15_000);
    expect((await poll(codes.device_code)).body.error).toBe("authorization_pending");
  });

  it("a forced slow_down answers the next poll whatever its timing", async () => {
    const codes = await deviceCode();
    emulator.slowDownNextPolls();
    expect((await poll(codes.device_code)).body).toMatchObject({ error: "slow_down", interval: 10 });
    clock.advance(10_000);
    expect((await poll(codes.device_code)).body.error).toBe("authorization_pending");
  });

  it("expired_token after 900 s (or when expired by the control), access_denied when the person cancels", async () => {
    const late = await deviceCode();
    clock.advance(900_000);
    expect((await poll(late.device_code)).body.error).toBe("expired_token");

    const expired = await deviceCode();
    emulator.expireDevice(expired.user_code);
    expect((await poll(expired.device_code)).body.error).toBe("expired_token");

    const denied = await deviceCode();
    emulator.denyDevice(denied.user_code);
    expect((await poll(denied.device_code)).body.error).toBe("access_denied");
    clock.advance(5_000);
    expect((await poll(denied.device_code)).body.error).toBe("incorrect_device_code");
  });

  it("refuses a wrong secret, an unknown or another client's device code, and a device flow disabled since", async () => {
    const codes = await deviceCode();
    expect((await poll(codes.device_code, githubApp, { client_secret: "wrong" })).body.error).toBe("incorrect_client_credentials");
    expect((await poll(codes.device_code, githubApp, { client_secret: githubApp.clientSecret })).body.error).toBe("authorization_pending");
    expect((await poll("0".repeat(40))).body.error).toBe("incorrect_device_code");
    expect((await poll(undefined)).body.error).toBe("incorrect_device_code");
    expect((await poll(codes.device_code, oauthApp)).body.error).toBe("incorrect_device_code");
    emulator.setDeviceFlowEnabled(githubApp.clientId, false);
    expect((await poll(codes.device_code)).body.error).toBe("device_flow_disabled");
  });

  it("a device token refreshes like any other (strict rotation)", async () => {
    const codes = await deviceCode();
    emulator.approveDevice(codes.user_code, "octocat");
    const approved = await poll(codes.device_code);
    const refreshed = await request(emulator.app).post("/login/oauth/access_token").set("Accept", "application/json").send({
      client_id: githubApp.clientId,
      client_secret: githubApp.clientSecret,
      grant_type: "refresh_token",
      refresh_token: approved.body.refresh_token,
    });
    expect(refreshed.body.access_token).toMatch(/^ghu_/);
  });
});

describe("the /login/device page", () => {
  it("takes the user code (any case, with or without the hyphen), an account and Authorize", async () => {
    const codes = await deviceCode();
    const page = await request(emulator.app).get("/login/device");
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="user_code"');
    expect(page.text).toContain('value="octocat"');
    const typed = codes.user_code.replace("-", "").toLowerCase();
    const done = await request(emulator.app)
      .post("/login/device")
      .type("form")
      .send({ user_code: typed, login: "octocat", decision: "authorize" });
    expect(done.status).toBe(200);
    expect(done.text).toContain("all set");
    expect(done.text).toContain(githubApp.name);
    expect((await poll(codes.device_code)).body.access_token).toMatch(/^ghu_/);
  });

  it("Cancel denies; a wrong, used or expired code is a 400 page that says so", async () => {
    const codes = await deviceCode();
    const cancelled = await request(emulator.app)
      .post("/login/device")
      .type("form")
      .send({ user_code: codes.user_code, decision: "cancel" });
    expect(cancelled.text).toContain("cancelled");
    expect((await poll(codes.device_code)).body.error).toBe("access_denied");
    const again = await request(emulator.app)
      .post("/login/device")
      .type("form")
      .send({ user_code: codes.user_code, login: "octocat", decision: "authorize" });
    expect(again.status).toBe(400);
    expect(again.text).toContain("not valid");
    const bogus = await request(emulator.app)
      .post("/login/device")
      .type("form")
      .send({ user_code: ["A", "B"], decision: "authorize" });
    expect(bogus.status).toBe(400);
  });

  it("prefills a user_code from the query, escaped", async () => {
    const page = await request(emulator.app).get("/login/device").query({ user_code: '"><script>' });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("<script>");
  });
});
