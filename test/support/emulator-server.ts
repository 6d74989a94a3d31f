// Test helpers around the GitHub emulator: run it on a free port, and click through its consent page
// the way a browser would (GET the page, submit its form, read the redirect).
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import request from "supertest";
import { createEmulator, type Emulator, type EmulatorClient, type EmulatorOptions } from "../../src/emulator/index.js";

export interface RunningEmulator {
  emulator: Emulator;
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = createEmulator(options);
  const server = createServer(emulator.app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    emulator,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (fetch keeps them open) would otherwise hold close() up.
        server.closeAllConnections();
      }),
  };
}

/**
 * Opens the consent page at `authorizeUrl` (it must answer 200), submits its form with the chosen
 * account (default: the preselected one) and decision (default: authorize), and returns the URL the
 * emulator redirects to: the callback with code & state, or with error & state.
 */
export async function approveAtEmulator(
  authorizeUrl: string,
  choice: { login?: string; decision?: "authorize" | "cancel" } = {},
): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200) {
    const location = page.headers.get("location");
    throw new Error(`approveAtEmulator: GET ${authorizeUrl} answered ${page.status}${location ? ` (Location: ${location})` : ""}, not the consent page: ${html.slice(0, 300)}`);
  }
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`approveAtEmulator: the page at ${authorizeUrl} has no form`);
  const action = attributesOf(form[1] ?? "").action ?? "";
  const inputs = [...(form[2] ?? "").matchAll(/<input\b([^>]*)>/gi)].map((match) => attributesOf(match[1] ?? ""));
  const accounts = inputs.filter((input) => input.type === "radio" && input.name === "login");
  const login = choice.login ?? accounts.find((input) => "checked" in input)?.value ?? accounts[0]?.value;
  if (!login || !accounts.some((input) => input.value === login)) {
    throw new Error(`approveAtEmulator: no account "${login}" on the consent page (offered: ${accounts.map((input) => input.value).join(", ")})`);
  }

  const body = new URLSearchParams();
  for (const input of inputs) if (input.type === "hidden" && input.name) body.append(input.name, input.value ?? "");
  body.append("login", login);
  body.append("decision", choice.decision ?? "authorize");
  const target = new URL(action, authorizeUrl);
  const answer = await fetch(target, { method: "POST", body, redirect: "manual" });
  const location = answer.headers.get("location");
  if (answer.status !== 302 || !location) {
    throw new Error(`approveAtEmulator: POST ${target} answered ${answer.status} without a redirect: ${(await answer.text()).slice(0, 300)}`);
  }
  return new URL(location, target);
}

function attributesOf(tag: string): Record<string, string | undefined> {
  const attributes: Record<string, string | undefined> = {};
  for (const match of tag.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*"([^"]*)")?/g)) {
    const name = match[1];
    if (name) attributes[name.toLowerCase()] = match[2] === undefined ? "" : decodeEntities(match[2]);
  }
  return attributes;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_entity, name: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (name[0] !== "#") return named[name.toLowerCase()] ?? "";
    return String.fromCodePoint(name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
  });
}

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
export async function tokensFor(app: Express, client: EmulatorClient, options: { login?: string; scope?: string } = {}): Promise<IssuedTokens> {
  const redirectUri = client.callbackUrls[0]?.url ?? "";
  const consent = await request(app)
    .post("/login/oauth/authorize")
    .type("form")
    .send({ client_id: client.clientId, redirect_uri: redirectUri, scope: options.scope ?? "", login: options.login ?? "octocat", decision: "authorize" });
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
