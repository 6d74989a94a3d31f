// What oidc-provider is told (SPEC §9): the clients and keys of the configuration, the endpoints
// under /oidc/, the authorization code (PKCE S256, required for public clients), refresh token and
// device grants and nothing else (no implicit or hybrid, no request objects, no dynamic
// registration), claims for the scopes discovery lists, token lifetimes bound by PROFILE_MAX_AGE,
// rotating refresh tokens issued for offline_access only, and cookies signed with SESSION_SECRET.
// Everything that needs the rest of the server (accounts, interactions, pages, storage) is passed in.
import { createHmac } from "node:crypto";
import type { ClientMetadata, Configuration, JWK } from "oidc-provider";
import type { Config } from "../config/config.js";
import { DEVICE_CODE_GRANT, type OidcClient, type OidcConfig } from "../config/oidc-config.js";

/** Where the provider's endpoints live (SPEC §9); discovery is at /.well-known/openid-configuration. */
export const OIDC_ROUTES = {
  authorization: "/oidc/auth",
  token: "/oidc/token",
  userinfo: "/oidc/me",
  jwks: "/oidc/jwks",
  device_authorization: "/oidc/device/auth",
  code_verification: "/oidc/device",
  revocation: "/oidc/token/revocation",
  end_session: "/oidc/session/end",
  // Off, but every route needs a place: under /oidc/ too, where nothing answers them.
  introspection: "/oidc/token/introspection",
  registration: "/oidc/reg",
  pushed_authorization_request: "/oidc/request",
  backchannel_authentication: "/oidc/backchannel",
  challenge: "/oidc/challenge",
  credential: "/oidc/credential",
} as const;

/** Where our own login interaction lives (interaction.ts). */
export const interactionPath = (uid: string) => `/oidc/interaction/${uid}`;

/** Every scope discovery lists is honoured; `groups` is also in every ID token (Kubernetes reads nothing else). */
export const SCOPES = ["openid", "offline_access", "profile", "email", "groups"];
export const CLAIMS = {
  openid: ["sub", "preferred_username", "groups"],
  profile: ["name", "preferred_username", "picture", "profile"],
  email: ["email", "email_verified"],
  groups: ["groups"],
};

/** How long a person has for the sign-in an authorization needs (GitHub included), as a sign-in attempt does. */
const INTERACTION_SECONDS = 10 * 60;
const AUTHORIZATION_CODE_SECONDS = 60;
const DEVICE_CODE_SECONDS = 10 * 60;
/** The provider's own browser session only carries the CSRF tokens of its forms (device codes, sign-out). */
const PROVIDER_SESSION_SECONDS = 30 * 60;

export function providerCookies(config: Config): NonNullable<Configuration["cookies"]> {
  const secure = config.session.secureCookies;
  // The session cookie lives at Path=/, so it is __Host- on https. The interaction's two cookies are
  // scoped by oidc-provider to that one interaction's paths (parallel authorizations in one browser
  // keep apart, and no other request carries them), which __Host- forbids: __Secure- there, and like
  // every cookie of this server without a Domain, so host-only all the same.
  const names = secure
    ? { session: "__Host-gls-oidc", interaction: "__Secure-gls-oidc-interaction", resume: "__Secure-gls-oidc-resume" }
    : { session: "gls-oidc", interaction: "gls-oidc-interaction", resume: "gls-oidc-resume" };
  const attributes = { httpOnly: true, sameSite: "lax" as const, secure, overwrite: true };
  // Derived, not the secrets themselves: the session cookies' signatures keyed by the same secrets stay unrelated.
  const keys = config.session.secrets.map((secret) => createHmac("sha256", secret).update("oidc-provider-cookies").digest("base64url"));
  return { names, long: { ...attributes, path: "/" }, short: attributes, keys };
}

export function clientMetadata(client: OidcClient, signingAlg: string): ClientMetadata {
  return {
    client_id: client.clientId,
    ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: client.grantTypes,
    response_types: client.grantTypes.includes("authorization_code") ? ["code"] : [],
    // Loopback redirects are matched by redirect-uris.ts for every client, not by application type.
    application_type: "web",
    id_token_signed_response_alg: signingAlg as ClientMetadata["id_token_signed_response_alg"],
  };
}

/** Seconds an ID or access token lives: PROFILE_MAX_AGE at most (SPEC §9), an hour at most, a second at least. */
export const tokenSeconds = (config: Config) => Math.max(1, Math.min(3600, Math.floor(config.profileMaxAgeMs / 1000)));

export function staticConfiguration(config: Config, oidc: OidcConfig): Configuration {
  const signing = oidc.signingKeys;
  const algs = [...new Set(signing.map((key) => key.alg))];
  const { idleTimeoutMs, maxAgeMs } = config.session;
  const deviceFlow = oidc.clients.some((client) => client.grantTypes.includes(DEVICE_CODE_GRANT));
  const tokens = tokenSeconds(config);
  return {
    clients: oidc.clients.map((client) => clientMetadata(client, signing[0]!.alg)),
    jwks: { keys: signing.map((key) => key.jwk as unknown as JWK) },
    cookies: providerCookies(config),
    routes: OIDC_ROUTES,
    scopes: SCOPES,
    claims: CLAIMS,
    // Scope claims go into the ID token too: relying parties like the Kubernetes API server read nothing else.
    conformIdTokenClaims: false,
    responseTypes: ["code"],
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post"],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === "none" },
    allowOmittingSingleRegisteredRedirectUri: false,
    enabledJWA: { idTokenSigningAlgValues: algs as never, requestObjectSigningAlgValues: algs as never },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: deviceFlow, charset: "base-20", mask: "****-****" },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      dPoP: { enabled: false },
      requestObjects: { enabled: false },
      claimsParameter: { enabled: false },
      introspection: { enabled: false },
      registration: { enabled: false },
    },
    // A refresh token only for offline_access (mod_auth_openidc, kubectl ask for it), rotating on every use (adapter.ts: the grace).
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    rotateRefreshToken: true,
    // Tokens belong to the grant's session (account.ts), not to the provider's browser cookie.
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: tokens,
      IdToken: tokens,
      AuthorizationCode: AUTHORIZATION_CODE_SECONDS,
      DeviceCode: DEVICE_CODE_SECONDS,
      Interaction: INTERACTION_SECONDS,
      Session: PROVIDER_SESSION_SECONDS,
      Grant: Math.floor(maxAgeMs / 1000),
      // Each use slides the grant's session by SESSION_IDLE_TIMEOUT; its refresh token lives as long.
      RefreshToken: Math.max(1, Math.floor(Math.min(idleTimeoutMs, maxAgeMs) / 1000)),
    },
    interactions: { url: async (_ctx, interaction) => interactionPath(interaction.uid) },
  };
}
