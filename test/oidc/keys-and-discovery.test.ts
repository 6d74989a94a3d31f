// What the provider publishes (SPEC §9): discovery listing exactly what is supported, the JWKS with
// every configured key (public halves only), ID tokens signed by the first key and verifiable
// against the JWKS, and rotation without downtime: a new key first, the old one still published;
// a key taken off OIDC_SIGNING_KEYS no longer verifies what it signed.
import { createPublicKey, verify } from "node:crypto";
import request from "supertest";
import {
  client,
  newBrowser,
  relyingParty,
  signingKey,
  signInWithCode,
  startOidcStack,
  type Jwk,
  type TestStack,
} from "../support/oidc-stack.js";
import type { App } from "../support/stack.js";

const OLD = signingKey("old-rs256", "RS256");
const NEW = signingKey("new-es256", "ES256");

let stack: TestStack;
beforeAll(async () => {
  stack = await startOidcStack({ keys: [OLD] });
});
afterAll(() => stack.close());

const jwksOf = async (app: App) => (await request(app).get("/oidc/jwks").expect(200)).body as { keys: Jwk[] };

/** Verifies a JWT's signature with the key its `kid` names in `jwks`, as a relying party does; false when none verifies it. */
function verifiesWith(jwt: string, jwks: { keys: Jwk[] }): boolean {
  const [header, payload, signature] = jwt.split(".") as [string, string, string];
  const { kid, alg } = JSON.parse(Buffer.from(header, "base64url").toString()) as { kid?: string; alg: string };
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (!jwk || alg === "none" || (alg !== "RS256" && alg !== "ES256")) return false;
  const key = createPublicKey({ key: jwk as never, format: "jwk" });
  return verify(
    "sha256",
    Buffer.from(`${header}.${payload}`),
    alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key,
    Buffer.from(signature, "base64url"),
  );
}

const headerOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[0]!, "base64url").toString()) as { kid: string; alg: string };

test("discovery lists exactly what is supported, at the issuer PUBLIC_URL, endpoints under /oidc/", async () => {
  const discovery = (await request(stack.app).get("/.well-known/openid-configuration").expect(200)).body as Record<string, unknown>;
  expect(discovery).toMatchObject({
    issuer: "http://app.test:3000",
    authorization_endpoint: "http://app.test:3000/oidc/auth",
    token_endpoint: "http://app.test:3000/oidc/token",
    userinfo_endpoint: "http://app.test:3000/oidc/me",
    jwks_uri: "http://app.test:3000/oidc/jwks",
    device_authorization_endpoint: "http://app.test:3000/oidc/device/auth",
    revocation_endpoint: "http://app.test:3000/oidc/token/revocation",
    end_session_endpoint: "http://app.test:3000/oidc/session/end",
    response_types_supported: ["code"],
    code_challenge_methods_supported: ["S256"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    subject_types_supported: ["public"],
  });
  expect(new Set(discovery.grant_types_supported as string[])).toEqual(
    new Set(["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"]),
  );
  expect(new Set(discovery.scopes_supported as string[])).toEqual(new Set(["openid", "offline_access", "profile", "email", "groups"]));
  expect(discovery.claims_supported).toEqual(
    expect.arrayContaining(["sub", "preferred_username", "groups", "name", "picture", "profile", "email", "email_verified"]),
  );
  for (const unsupported of [
    "registration_endpoint",
    "introspection_endpoint",
    "pushed_authorization_request_endpoint",
    "dpop_signing_alg_values_supported",
    "request_object_signing_alg_values_supported",
  ]) {
    expect([unsupported, discovery[unsupported]]).toEqual([unsupported, undefined]);
  }
  expect(discovery.request_parameter_supported ?? false).toBe(false);
  expect(discovery.id_token_signing_alg_values_supported).not.toContain("none");
});

test("the JWKS publishes every key's public half only, and ID tokens verify against it", async () => {
  const jwks = await jwksOf(stack.app);
  expect(jwks.keys.map((key) => key.kid)).toEqual(["old-rs256"]);
  for (const key of jwks.keys) for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) expect(key[secret]).toBeUndefined();
  const tokens = await signInWithCode(stack.app, newBrowser(stack.app), await relyingParty(stack.app, "cli"));
  expect(headerOf(tokens.id_token!)).toMatchObject({ kid: "old-rs256", alg: "RS256" });
  expect(verifiesWith(tokens.id_token!, jwks)).toBe(true);
  // A byte changed in the payload: the signature no longer holds.
  const [h, p, s] = tokens.id_token!.split(".");
  const tampered = `${h}.${Buffer.from(Buffer.from(p!, "base64url").toString().replace("octocat", "octocaT")).toString("base64url")}.${s}`;
  expect(verifiesWith(tampered, jwks)).toBe(false);
});

test("keys rotate without downtime: the new key signs, the old one still verifies, grants go on; a retired key verifies nothing", async () => {
  const browser = newBrowser(stack.app);
  const before = await signInWithCode(stack.app, browser, await relyingParty(stack.app, "cli"));
  const oldToken = before.id_token!;

  const rotated = await stack.restartedWith({ OIDC_SIGNING_KEYS: JSON.stringify([NEW, OLD]) });
  const jwks = await jwksOf(rotated.app);
  expect(jwks.keys.map((key) => key.kid)).toEqual(["new-es256", "old-rs256"]);
  expect(verifiesWith(oldToken, jwks)).toBe(true);
  const rp = await relyingParty(rotated.app, "cli");
  const refreshed = await client.refreshTokenGrant(rp, before.refresh_token!);
  expect(headerOf(refreshed.id_token!)).toMatchObject({ kid: "new-es256", alg: "ES256" });
  expect(verifiesWith(refreshed.id_token!, jwks)).toBe(true);

  const retired = await stack.restartedWith({ OIDC_SIGNING_KEYS: JSON.stringify([NEW]) });
  const after = await jwksOf(retired.app);
  expect(after.keys.map((key) => key.kid)).toEqual(["new-es256"]);
  expect(verifiesWith(oldToken, after)).toBe(false);
  expect(verifiesWith(refreshed.id_token!, after)).toBe(true);
});
