// A long-running demo server must stay bounded: every collection the emulator keeps is capped, what
// expires is dropped as the emulator's clock passes it, and nothing it records holds a secret.
// Driven over real HTTP, thousands of sign-ins at a time.
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator, redactedSecret, type EmulatorClient } from "../src/index.js";
import { pkcePair, startEmulator, testGitHubApp, testOAuthApp, type RunningEmulator } from "./support/emulator-server.js";

const CALLBACK = "http://127.0.0.1:3000/auth/callback";
const githubApp = testGitHubApp([CALLBACK]);
const oauthApp = testOAuthApp(CALLBACK);
const EIGHT_HOURS_MS = 28_800_000;

interface Tokens {
  access_token: string;
  refresh_token?: string;
}

/** Consent form → code (no exchange). */
async function codeFrom(running: RunningEmulator, client: EmulatorClient, extra: Record<string, string> = {}): Promise<string> {
  const answer = await fetch(`${running.url}/login/oauth/authorize`, {
    method: "POST",
    body: new URLSearchParams({ client_id: client.clientId, redirect_uri: CALLBACK, login: "octocat", decision: "authorize", ...extra }),
    redirect: "manual",
  });
  const code = new URL(answer.headers.get("location") ?? "http://invalid/").searchParams.get("code");
  if (!code) throw new Error(`consent answered ${answer.status}`);
  return code;
}

async function tokenRequest(running: RunningEmulator, body: Record<string, string>): Promise<Tokens & { error?: string }> {
  const answer = await fetch(`${running.url}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await answer.json()) as Tokens & { error?: string };
}

/** One whole sign-in: consent, code exchange, GET /user with the new token. */
async function signIn(running: RunningEmulator, client: EmulatorClient): Promise<Tokens> {
  const code = await codeFrom(running, client);
  const tokens = await tokenRequest(running, {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    code,
    redirect_uri: CALLBACK,
  });
  if (!tokens.access_token) throw new Error(`token endpoint answered ${JSON.stringify(tokens)}`);
  const user = await getUser(running, tokens.access_token);
  if (user !== 200) throw new Error(`GET /user answered ${user}`);
  return tokens;
}

async function getUser(running: RunningEmulator, token: string, scheme = "token"): Promise<number> {
  const answer = await fetch(`${running.url}/api/v3/user`, {
    headers: { "user-agent": "memory-test", authorization: `${scheme} ${token}` },
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** Runs `task` `count` times, `lanes` at a time, and returns the results in order. */
async function times<T>(count: number, task: (index: number) => Promise<T>, lanes = 16): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let index = next++; index < count; index = next++) results[index] = await task(index);
    }),
  );
  return results;
}

describe("with the default limits", () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator({ clients: [githubApp] });
  });
  afterAll(() => running.close());

  it("keeps the most recent 200 request records and issued tokens, however many sign-ins pass", async () => {
    const signIns = await times(2000, () => signIn(running, githubApp));
    const use = running.emulator.memoryUse();
    expect(use).toMatchObject({ tokenRequests: 200, apiRequests: 200, issuedAccessTokens: 200, issuedRefreshTokens: 200, pendingCodes: 0 });
    expect(running.emulator.stats.tokenRequests).toHaveLength(200);
    expect(running.emulator.stats.apiRequests).toHaveLength(200);
    // The ring holds the newest entries: the last sign-in's tokens are the last ones listed.
    const issued = new Set(running.emulator.issuedAccessTokens());
    expect(issued.size).toBe(200);
    const newest = signIns.map((tokens) => tokens.access_token).filter((token) => issued.has(token));
    expect(newest.length).toBe(200);
    // Nothing expired yet, so every token is still live (below the default cap of 10 000).
    expect(use.accessTokens).toBe(2000);
    expect(use.refreshTokens).toBe(2000);
  }, 120_000);
});

describe("with small limits", () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator({ clients: [githubApp, oauthApp], limits: { records: 50, pendingCodes: 20, tokens: 100 } });
  });
  afterAll(() => running.close());

  it("codes, access tokens and refresh tokens stay at their cap; the oldest are forgotten, the newest work", async () => {
    const first = await signIn(running, githubApp);
    await times(1500, (index) => signIn(running, index % 2 === 0 ? githubApp : oauthApp));
    // Refreshes rotate: each one adds a refresh token and kills one.
    const refreshed = await times(300, async () => {
      const tokens = await signIn(running, githubApp);
      return tokenRequest(running, {
        client_id: githubApp.clientId,
        client_secret: githubApp.clientSecret,
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token ?? "",
      });
    });
    const unexchanged = await times(500, () => codeFrom(running, oauthApp));
    await times(60, async () =>
      (await fetch(`${running.url}/login/oauth/authorize?client_id=${oauthApp.clientId}&redirect_uri=${CALLBACK}`)).text(),
    );
    expect(refreshed.every((answer) => typeof answer.access_token === "string")).toBe(true);
    expect(running.emulator.memoryUse()).toEqual({
      authorizeRequests: 50,
      tokenRequests: 50,
      apiRequests: 50,
      issuedAccessTokens: 50,
      issuedRefreshTokens: 50,
      pendingCodes: 20,
      accessTokens: 100,
      refreshTokens: 100,
    });
    expect(await getUser(running, first.access_token)).toBe(401);
    expect(await getUser(running, refreshed.at(-1)!.access_token)).toBe(200);
    // The newest codes still work, the oldest ones were forgotten.
    const exchange = (code: string) => tokenRequest(running, { client_id: oauthApp.clientId, client_secret: oauthApp.clientSecret, code });
    expect((await exchange(unexchanged.at(-1)!)).access_token).toMatch(/^gho_/);
    expect((await exchange(unexchanged[0]!)).error).toBe("bad_verification_code");
  }, 120_000);
});

describe("expired entries are swept as the emulator's clock passes them", () => {
  let clock: ManualClock;
  let running: RunningEmulator;
  beforeEach(async () => {
    clock = new ManualClock();
    running = await startEmulator({ clients: [githubApp], clock });
  });
  afterEach(() => running.close());

  it("codes after 10 minutes, access tokens after 8 hours, refresh tokens after their 184 days", async () => {
    await times(1000, () => signIn(running, githubApp));
    await times(300, () => codeFrom(running, githubApp));
    expect(running.emulator.memoryUse()).toMatchObject({ pendingCodes: 300, accessTokens: 1000, refreshTokens: 1000 });

    clock.advance(10 * 60_000);
    await codeFrom(running, githubApp);
    expect(running.emulator.memoryUse().pendingCodes).toBe(1);

    clock.advance(EIGHT_HOURS_MS);
    const latest = await signIn(running, githubApp);
    expect(running.emulator.memoryUse()).toMatchObject({ pendingCodes: 0, accessTokens: 1, refreshTokens: 1001 });
    expect(await getUser(running, latest.access_token)).toBe(200);

    clock.advance(15_897_600_000);
    await signIn(running, githubApp);
    expect(running.emulator.memoryUse()).toMatchObject({ accessTokens: 1, refreshTokens: 1 });
  }, 60_000);

  it("a refresh token rotated away is still told apart from a stranger until it expires", async () => {
    const tokens = await signIn(running, githubApp);
    const refresh = {
      client_id: githubApp.clientId,
      client_secret: githubApp.clientSecret,
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token ?? "",
    };
    expect((await tokenRequest(running, refresh)).access_token).toMatch(/^ghu_/);
    clock.advance(EIGHT_HOURS_MS);
    await signIn(running, githubApp); // a sweep runs here
    expect((await tokenRequest(running, refresh)).error).toBe("bad_refresh_token");
    expect(running.emulator.stats.refreshTokenReuses).toBe(1);
  });

  it("refuses limits that are not whole numbers of at least 1", () => {
    expect(() => createEmulator({ clients: [githubApp], limits: { records: 0 } })).toThrow(
      /limits\.records must be a whole number of at least 1/,
    );
    expect(() => createEmulator({ clients: [githubApp], limits: { tokens: 2.5 } })).toThrow(/limits\.tokens/);
  });

  it("creating an emulator starts no timer (nothing keeps an idle process alive)", () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timers();
    createEmulator({ clients: [githubApp], clock });
    expect(timers()).toBe(before);
  });
});

describe("what the records keep", () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator({ clients: [githubApp, oauthApp] });
  });
  afterAll(() => running.close());

  it("no recorded entry holds a client secret, a code, a token or Basic credentials; redacted values still correlate", async () => {
    const secrets: string[] = [githubApp.clientSecret, oauthApp.clientSecret];
    for (let round = 0; round < 50; round++) {
      const { verifier, challenge } = pkcePair();
      const code = await codeFrom(running, githubApp, { code_challenge: challenge, code_challenge_method: "S256" });
      const tokens = await tokenRequest(running, {
        client_id: githubApp.clientId,
        client_secret: githubApp.clientSecret,
        code,
        code_verifier: verifier,
      });
      const rotated = await tokenRequest(running, {
        client_id: githubApp.clientId,
        client_secret: githubApp.clientSecret,
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token ?? "",
      });
      expect(await getUser(running, rotated.access_token, "Bearer")).toBe(200);
      const oauthCode = await codeFrom(running, oauthApp);
      // The query string, as some clients send it, and a wrong secret: neither may be kept.
      const query = new URLSearchParams({ client_id: oauthApp.clientId, client_secret: oauthApp.clientSecret, code: oauthCode });
      const fromQuery = (await (
        await fetch(`${running.url}/login/oauth/access_token?${query}`, { method: "POST", headers: { accept: "application/json" } })
      ).json()) as Tokens;
      await tokenRequest(running, {
        client_id: oauthApp.clientId,
        client_secret: `${oauthApp.clientSecret}-wrong`,
        code: "0123456789abcdef0123",
      });
      expect(await getUser(running, fromQuery.access_token)).toBe(200);
      const basic = Buffer.from(`${oauthApp.clientId}:${oauthApp.clientSecret}`).toString("base64");
      const check = await fetch(`${running.url}/api/v3/applications/${oauthApp.clientId}/token`, {
        method: "POST",
        headers: { "user-agent": "memory-test", authorization: `Basic ${basic}`, "content-type": "application/json" },
        body: JSON.stringify({ access_token: fromQuery.access_token }),
      });
      expect(check.status).toBe(200);
      secrets.push(
        code,
        oauthCode,
        tokens.access_token,
        tokens.refresh_token ?? "",
        rotated.access_token,
        rotated.refresh_token ?? "",
        fromQuery.access_token,
        basic,
        `${oauthApp.clientSecret}-wrong`,
      );
    }
    const recorded = JSON.stringify(running.emulator.stats);
    expect(running.emulator.stats.tokenRequests.length).toBe(200);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(20);
      expect(recorded).not.toContain(secret);
    }
    const lastUserCall = running.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user").at(-1);
    expect(lastUserCall?.authorization).toBe(`token ${redactedSecret(secrets.at(-3)!)}`);
    const lastCheck = running.emulator.stats.apiRequests.at(-1);
    expect(lastCheck?.authorization).toMatch(/^Basic \[redacted [0-9a-f]{12}\]$/);
  }, 60_000);

  it("cuts oversized values short", async () => {
    await tokenRequest(running, { client_id: "x".repeat(50_000), client_secret: "y", code: "z" });
    const record = running.emulator.stats.tokenRequests.at(-1)!;
    expect(record.params.client_id!.length).toBeLessThan(300);
    expect(JSON.stringify(record).length).toBeLessThan(1000);
  });
});
