// Helpers for the emulator's own tests: the public testing helpers (a free port, a browser's click
// through the consent page), registered apps of both kinds, PKCE pairs, and a token in one call.
import { createHash, randomBytes } from "node:crypto";
import type { Express } from "express";
import request from "supertest";
import type { EmulatorClient } from "../../src/index.js";

export { approveAtEmulator, startEmulator, type RunningEmulator } from "../../src/testing.js";

/** The demo client's credentials: an embedding server passes its own to demoClient() (the emulator has none built in). */
export const DEMO_CLIENT_ID = "Iv23liDemoClient0001";
export const DEMO_CLIENT_SECRET = "demo0secret0for0the0built0in0emulator000";

/** A PKCE pair (RFC 7636 S256). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** An OAuth App (non-expiring tokens unless `expiringTokens` is passed), one callback URL. */
export function testOAuthApp(callbackUrl: string, overrides: Partial<EmulatorClient> = {}): EmulatorClient {
  return {
    clientId: "Ov23liTestOAuthApp01",
    clientSecret: "oauth-app-secret-0123456789abcdef01234567",
    name: "Test OAuth App",
    type: "oauth-app",
    expiringTokens: false,
    callbackUrls: [{ url: callbackUrl, wildcard: true }],
    ...overrides,
  };
}

/** A GitHub App with expiring tokens and exact-match callbacks. */
export function testGitHubApp(callbackUrls: string[], overrides: Partial<EmulatorClient> = {}): EmulatorClient {
  return {
    clientId: "Iv23liTestGitHubApp1",
    clientSecret: "github-app-secret-0123456789abcdef0123456",
    name: "Test GitHub App",
    type: "github-app",
    expiringTokens: true,
    callbackUrls: callbackUrls.map((url) => ({ url, wildcard: false })),
    ...overrides,
  };
}

export interface IssuedTokens {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  refresh_token_expires_in?: number;
  scope: string;
  token_type: string;
}

/**
 * Signs `login` in to `client` straight through the emulator app (consent form POST + code exchange,
 * JSON), for tests that need a token rather than the flow itself.
 */
export async function tokensFor(
  app: Express,
  client: EmulatorClient,
  options: { login?: string; scope?: string } = {},
): Promise<IssuedTokens> {
  const redirectUri = client.callbackUrls[0]?.url ?? "";
  const consent = await request(app)
    .post("/login/oauth/authorize")
    .type("form")
    .send({
      client_id: client.clientId,
      redirect_uri: redirectUri,
      scope: options.scope ?? "",
      login: options.login ?? "octocat",
      decision: "authorize",
    });
  const code = new URL(consent.headers.location ?? "http://invalid/").searchParams.get("code");
  if (!code) throw new Error(`tokensFor: consent answered ${consent.status} ${consent.headers.location ?? consent.text}`);
  const answer = await request(app)
    .post("/login/oauth/access_token")
    .set("Accept", "application/json")
    .send({ client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: redirectUri });
  if (typeof answer.body.access_token !== "string") throw new Error(`tokensFor: token endpoint answered ${answer.text}`);
  return answer.body as IssuedTokens;
}

/** GET {api}`path` on the emulator app with a user token (and any more headers), as a REST client sends it. */
export function apiGet(app: Express, path: string, token: string, headers: Record<string, string> = {}) {
  const call = request(app).get(`/api/v3${path}`).set("User-Agent", "emulator-test").set("Authorization", `token ${token}`);
  for (const [name, value] of Object.entries(headers)) call.set(name, value);
  return call;
}
