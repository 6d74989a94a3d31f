// The OpenID Connect provider in tests: the real server (test/support/stack.ts) configured with
// clients and signing keys, a relying party that is `openid-client` itself (its every request goes
// to the server over HTTP, through supertest), and a browser (a supertest agent with its cookie jar)
// that walks an authorization through the server's own sign-in and the GitHub emulator.
import { generateKeyPairSync } from "node:crypto";
import * as client from "openid-client";
import request, { type Response as TestResponse } from "supertest";
import type TestAgent from "supertest/lib/agent.js";
import { approveAtEmulator } from "./emulator-server.js";
import { startTestStack, TEST_PUBLIC_URL, type App, type TestStack, type TestStackOptions } from "./stack.js";

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** A native program's client: public, PKCE, loopback redirect on any port, refresh and device grants. */
export const PUBLIC_CLIENT = {
  client_id: "cli",
  redirect_uris: ["http://127.0.0.1/callback"],
  grant_types: ["authorization_code", "refresh_token", DEVICE_GRANT],
};
export const WEB_SECRET = "web-client-secret-0123456789abcdef";
/** A web application's client: confidential (client_secret_basic), https redirect. */
export const WEB_CLIENT = {
  client_id: "web",
  client_secret: WEB_SECRET,
  redirect_uris: ["https://app.example.com/oidc/callback"],
  post_logout_redirect_uris: ["https://app.example.com/signed-out"],
};
/** A client only members of octo-org may use, reporting github/docs too. */
export const OCTO_CLIENT = {
  client_id: "octo",
  client_secret: "octo-client-secret-0123456789abcdef",
  redirect_uris: ["https://octo.example.com/callback"],
  orgs: ["octo-org"],
  groups: ["github", "github/docs"],
};

/** A client open to every allowed user, told the groups github and github/docs. */
export const GROUPS_CLIENT = {
  client_id: "grouped",
  redirect_uris: ["http://127.0.0.1/callback"],
  groups: "github,github/docs,octo-org/ops",
};

export type Jwk = Record<string, unknown>;

/** A private signing key, as OIDC_SIGNING_KEYS holds one. */
export function signingKey(kid: string, kind: "RS256" | "ES256" = "RS256"): Jwk {
  const { privateKey } =
    kind === "RS256" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { ...privateKey.export({ format: "jwk" }), kid, alg: kind, use: "sig" };
}

export interface OidcStackOptions extends TestStackOptions {
  clients?: object[];
  keys?: Jwk[];
}

/** The server with OIDC_CLIENTS and OIDC_SIGNING_KEYS set (defaults: the four clients above, one ES256 key). */
export function startOidcStack(options: OidcStackOptions = {}): Promise<TestStack> {
  const { clients = [PUBLIC_CLIENT, WEB_CLIENT, OCTO_CLIENT, GROUPS_CLIENT], keys = [signingKey("k1", "ES256")], ...rest } = options;
  return startTestStack({ ...rest, env: { OIDC_CLIENTS: JSON.stringify(clients), OIDC_SIGNING_KEYS: JSON.stringify(keys), ...rest.env } });
}

/** A fetch that sends what openid-client asks for to `app` (on the login host), over HTTP. */
export function fetchThrough(app: App): client.CustomFetch {
  return async (url, options) => {
    const target = new URL(url);
    const method = (options.method ?? "GET").toLowerCase() as "get" | "post";
    let call = request(app)[method](`${target.pathname}${target.search}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) call = call.set(name, String(value));
    if (options.body !== undefined && options.body !== null) call = call.send(options.body.toString());
    const answer = await call.buffer(true).parse(rawBody);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) for (const item of [value].flat()) headers.append(name, String(item));
    const empty = answer.status === 204 || answer.status === 304;
    return new Response(empty ? null : (answer.body as Buffer), { status: answer.status, headers });
  };
}

function rawBody(response: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on("data", (chunk: Buffer) => chunks.push(chunk));
  response.on("end", () => callback(null, Buffer.concat(chunks)));
}

/** openid-client's view of the provider, for `clientId` (with `secret`: client_secret_basic), talking to `app`. */
export async function relyingParty(
  app: App,
  clientId: string,
  secret?: string,
  metadata: Partial<client.ClientMetadata> = {},
): Promise<client.Configuration> {
  const customFetch = fetchThrough(app);
  const config = await client.discovery(
    new URL(TEST_PUBLIC_URL),
    clientId,
    metadata,
    secret ? client.ClientSecretBasic(secret) : client.None(),
    {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: customFetch,
    },
  );
  config[client.customFetch] = customFetch;
  return config;
}

/** What an authorization started by the relying party needs to be finished by it. */
export interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function startAuthorization(config: client.Configuration, params: Record<string, string> = {}): Promise<Started> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: PUBLIC_CLIENT.redirect_uris[0]!.replace("127.0.0.1", "127.0.0.1:49152"),
    scope: "openid profile email offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** A path on the server from an absolute URL on it (a Location header). */
export function onServer(location: string, origin = TEST_PUBLIC_URL): string {
  const url = new URL(location, origin);
  if (url.origin !== origin) throw new Error(`not a URL on the server: ${location}`);
  return `${url.pathname}${url.search}`;
}

export type Browser = TestAgent;

export const newBrowser = (app: App | string): Browser => request.agent(app);

/**
 * Walks the browser from `start` (a URL on the server at `origin`) through redirects on the server
 * and GitHub's consent page (as `login`), until it is sent off the server: the answer that sends it off.
 */
export async function walk(browser: Browser, start: string, login = "octocat", origin = TEST_PUBLIC_URL): Promise<TestResponse> {
  let next = onServer(start, origin);
  for (let step = 0; step < 12; step += 1) {
    const answer = await browser.get(next);
    const location = answer.headers.location;
    if (answer.status < 300 || answer.status >= 400 || !location) return answer;
    const target = new URL(location, origin);
    if (target.pathname.endsWith("/login/oauth/authorize")) {
      next = onServer((await approveAtEmulator(target.toString(), { login })).toString(), origin);
    } else if (target.origin === origin) {
      next = `${target.pathname}${target.search}`;
    } else {
      return answer;
    }
  }
  throw new Error(`more than 12 redirects from ${start}`);
}

/** The redirect to the client that ends an authorization, as a URL. */
export function redirectOf(answer: TestResponse): URL {
  if (answer.status !== 303 && answer.status !== 302)
    throw new Error(`expected a redirect to the client, got ${answer.status}: ${answer.text?.slice(0, 300)}`);
  return new URL(answer.headers.location!);
}

/** A whole authorization code flow with PKCE for the public client: the token response. */
export async function signInWithCode(
  app: App,
  browser: Browser,
  config: client.Configuration,
  params: Record<string, string> = {},
  login = "octocat",
) {
  const started = await startAuthorization(config, params);
  const back = redirectOf(await walk(browser, started.url.toString(), login));
  return client.authorizationCodeGrant(config, back, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
    idTokenExpected: true,
  });
}

/** Unverified: the payload of a JWT (for tests that look at a token the relying party already verified). */
export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

export { client, startTestStack, TEST_PUBLIC_URL };
export type { TestStack };
