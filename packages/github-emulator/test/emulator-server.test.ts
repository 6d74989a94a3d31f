import express from "express";
import request from "supertest";
import { createEmulator, DEMO_USERS, demoClient } from "../src/index.js";
import {
  approveAtEmulator,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  pkcePair,
  startEmulator,
  testOAuthApp,
  type RunningEmulator,
} from "./support/emulator-server.js";

/** The demo client, with the credentials an embedding server would pass (the emulator takes them from its caller). */
const DEMO_CREDENTIALS = { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET };

const CALLBACK = "http://127.0.0.1:3000/auth/callback";

describe("startEmulator + approveAtEmulator over real HTTP", () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator({ clients: [demoClient(CALLBACK, DEMO_CREDENTIALS)] });
  });
  afterAll(() => running.close());

  function authorizeUrl(params: Record<string, string>): string {
    return `${running.url}/login/oauth/authorize?${new URLSearchParams({ client_id: DEMO_CLIENT_ID, redirect_uri: CALLBACK, ...params })}`;
  }

  it("runs on 127.0.0.1 and completes the whole flow: consent, code, PKCE exchange, /user", async () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { verifier, challenge } = pkcePair();
    const callback = await approveAtEmulator(authorizeUrl({ state: "s&t=1", code_challenge: challenge, code_challenge_method: "S256" }), {
      login: "monalisa",
    });
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get("state")).toBe("s&t=1");
    const code = callback.searchParams.get("code") ?? "";

    const tokenAnswer = await fetch(`${running.url}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: DEMO_CLIENT_ID,
        client_secret: DEMO_CLIENT_SECRET,
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
    });
    const tokens = (await tokenAnswer.json()) as { access_token: string };
    expect(tokens.access_token).toMatch(/^ghu_/);

    const user = await fetch(`${running.url}/api/v3/user`, {
      headers: { "user-agent": "t", authorization: `Bearer ${tokens.access_token}` },
    });
    expect(((await user.json()) as { login: string }).login).toBe("monalisa");
  });

  it("cancel comes back as access_denied with the state", async () => {
    const callback = await approveAtEmulator(authorizeUrl({ state: "xyz" }), { decision: "cancel" });
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("state")).toBe("xyz");
  });

  it("defaults to the preselected account (the first demo user)", async () => {
    const callback = await approveAtEmulator(authorizeUrl({}));
    const code = callback.searchParams.get("code") ?? "";
    const answer = await fetch(`${running.url}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET, code }),
    });
    const { access_token } = (await answer.json()) as { access_token: string };
    const user = await fetch(`${running.url}/api/v3/user`, { headers: { "user-agent": "t", authorization: `token ${access_token}` } });
    expect(((await user.json()) as { login: string }).login).toBe(DEMO_USERS[0]?.login);
  });

  it("throws clear errors when the emulator does not show a consent page, or the account is not offered", async () => {
    await expect(approveAtEmulator(authorizeUrl({ redirect_uri: "http://127.0.0.1:3000/elsewhere" }))).rejects.toThrow(
      /answered 302 \(Location: .*redirect_uri_mismatch/,
    );
    await expect(approveAtEmulator(`${running.url}/login/oauth/authorize?client_id=unknown`)).rejects.toThrow(/answered 404/);
    await expect(approveAtEmulator(authorizeUrl({}), { login: "ghost" })).rejects.toThrow(/no account "ghost"/);
  });

  it("close() returns although fetch keeps a connection alive", async () => {
    const extra = await startEmulator({ clients: [demoClient(CALLBACK, DEMO_CREDENTIALS)] });
    await fetch(`${extra.url}/assets/emulator.css`).then((answer) => answer.text());
    await extra.close();
    await expect(fetch(`${extra.url}/assets/emulator.css`)).rejects.toThrow();
  });
});

describe("mounted under /_emulator (demo mode)", () => {
  const emulator = createEmulator({ clients: [demoClient("http://localhost:3000/auth/callback", DEMO_CREDENTIALS)] });
  const host = express();
  host.use("/_emulator", emulator.app);

  it("derives the base URL from the mount path, so avatar_url and the relative stylesheet work", async () => {
    const page = await request(host).get(`/_emulator/login/oauth/authorize?client_id=${DEMO_CLIENT_ID}`).set("Host", "localhost:3000");
    expect(page.status).toBe(200);
    const stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)?.[1] ?? "";
    const resolved = new URL(stylesheet, "http://localhost:3000/_emulator/login/oauth/authorize");
    expect(resolved.pathname).toBe("/_emulator/assets/emulator.css");
    expect((await request(host).get(resolved.pathname)).status).toBe(200);

    const consent = await request(host)
      .post("/_emulator/login/oauth/authorize")
      .type("form")
      .send({ client_id: DEMO_CLIENT_ID, login: "octocat", decision: "authorize" });
    const code = new URL(consent.headers.location ?? "").searchParams.get("code");
    const tokens = await request(host)
      .post("/_emulator/login/oauth/access_token")
      .set("Accept", "application/json")
      .send({ client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET, code });
    const user = await request(host)
      .get("/_emulator/api/v3/user")
      .set("Host", "localhost:3000")
      .set("User-Agent", "t")
      .set("Authorization", `token ${tokens.body.access_token}`);
    expect(user.body.avatar_url).toBe("http://localhost:3000/_emulator/avatars/u/583231");
    expect(emulator.stats.apiRequests[0]?.path).toBe("/api/v3/user");
  });
});

describe("instances are independent", () => {
  it("tokens, stats and faults of one emulator do not affect another", async () => {
    const client = testOAuthApp(CALLBACK);
    const one = createEmulator({ clients: [client] });
    const two = createEmulator({ clients: [client] });
    const consent = await request(one.app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ client_id: client.clientId, login: "octocat", decision: "authorize" });
    const code = new URL(consent.headers.location ?? "").searchParams.get("code");
    const body = { client_id: client.clientId, client_secret: client.clientSecret, code };
    two.injectFault({ pathPrefix: "/", status: 500, times: 10 });
    expect((await request(two.app).post("/login/oauth/access_token").set("Accept", "application/json").send(body)).status).toBe(500);
    expect(
      (await request(one.app).post("/login/oauth/access_token").set("Accept", "application/json").send(body)).body.access_token,
    ).toMatch(/^gho_/);
    expect(one.stats.codeExchanges).toBe(1);
    expect(two.stats.codeExchanges).toBe(0);
    expect(two.issuedAccessTokens()).toEqual([]);
  });

  it("refuses a misconfigured client at creation", () => {
    expect(() => createEmulator({ clients: [{ ...testOAuthApp(CALLBACK), callbackUrls: [] }] })).toThrow(/exactly one callback URL/);
  });
});
