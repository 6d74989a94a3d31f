// The authorization code flow with PKCE as a relying party does it, with openid-client (panva):
// discovery, the authorization URL, the browser's walk (this server's redirects, its sign-in with
// GitHub at the emulator's consent page) up to the client's redirect URI, then the code exchange.
// The browser is a cookie-keeping fetch that follows nothing by itself, so every hop is seen.
import * as client from "openid-client";
import { approveAtEmulator } from "../support/emulator-server.js";
import { CookieClient } from "../support/process.js";

/** openid-client's view of the issuer for one client (plain http is allowed: the issuer is on loopback). */
export function discover(issuer: string, clientId: string, clientSecret: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, clientSecret, undefined, { execute: [client.allowInsecureRequests] });
}

/**
 * Walks `authorizationUrl` in `browser` until a redirect reaches `redirectUri`, approving GitHub's
 * consent page as `login` on the way; returns that redirect's URL (code and state, or an error).
 */
export async function walkToRedirect(browser: CookieClient, authorizationUrl: string, redirectUri: string, login: string): Promise<URL> {
  const visited: string[] = [];
  let next = authorizationUrl;
  for (let hop = 0; hop < 12; hop += 1) {
    if (next.startsWith(redirectUri)) return new URL(next);
    visited.push(next);
    const origin = new URL(next).origin;
    if (new URL(next).pathname.endsWith("/login/oauth/authorize")) {
      next = (await approveAtEmulator(next, { login })).toString();
      continue;
    }
    const answer = await browser.fetch(next);
    const location = answer.headers.get("location");
    if (answer.status < 300 || answer.status >= 400 || !location) {
      throw new Error(
        `the sign-in stopped at ${next} with ${answer.status}: ${(await answer.text()).slice(0, 400)}\nvisited: ${visited.join(" → ")}`,
      );
    }
    next = new URL(location, origin).toString();
  }
  throw new Error(`no redirect to ${redirectUri} after 12 hops: ${visited.join(" → ")}`);
}

/** The whole code flow for `login`: the tokens the client gets, and the browser that signed in. */
export async function codeFlow(
  config: client.Configuration,
  options: { redirectUri: string; scope: string; login: string; browser?: CookieClient },
): Promise<{ tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers; browser: CookieClient }> {
  const browser = options.browser ?? new CookieClient();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const redirect = await walkToRedirect(browser, authorizationUrl.toString(), options.redirectUri, options.login);
  try {
    return { tokens: await redeem(config, redirect, { redirectUri: options.redirectUri, verifier, state, nonce }), browser };
  } catch (error) {
    // openid-client's message is generic; the provider's error and description say what was refused.
    const { error: code, error_description: description } = error as { error?: string; error_description?: string };
    throw new Error(`the code exchange failed: ${(error as Error).message}${code ? ` (${code}: ${description ?? ""})` : ""}`, {
      cause: error,
    });
  }
}

/**
 * The code exchange. openid-client's authorizationCodeGrant sends the redirect URI as the URL it
 * was reached at, normalised: `http://localhost:8000` becomes `http://localhost:8000/`, which a
 * provider comparing redirect URIs as strings (as OAuth 2.1 has it) rightly refuses. So a redirect
 * URI without a path (what `kubectl oidc-login` registers) is redeemed with openid-client's
 * generic grant, the URI sent as it was asked for, and the checks the other makes done here.
 */
async function redeem(
  config: client.Configuration,
  redirect: URL,
  expected: { redirectUri: string; verifier: string; state: string; nonce: string },
) {
  const checks = {
    pkceCodeVerifier: expected.verifier,
    expectedState: expected.state,
    expectedNonce: expected.nonce,
    idTokenExpected: true,
  };
  if (new URL(expected.redirectUri).href === expected.redirectUri) return client.authorizationCodeGrant(config, redirect, checks);
  const answered = Object.fromEntries(redirect.searchParams);
  if (answered.state !== expected.state) throw new Error(`the redirect carries state ${answered.state}, not the one sent`);
  if (answered.iss !== config.serverMetadata().issuer) throw new Error(`the redirect carries iss ${answered.iss}, not the issuer`);
  if (!answered.code) throw new Error(`the redirect carries no code: ${redirect.search}`);
  const tokens = await client.genericGrantRequest(config, "authorization_code", {
    code: answered.code,
    redirect_uri: expected.redirectUri,
    code_verifier: expected.verifier,
  });
  if (tokens.claims()?.nonce !== expected.nonce) throw new Error("the ID token does not carry the nonce sent");
  return tokens;
}
