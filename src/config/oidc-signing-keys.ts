// OIDC_SIGNING_KEYS (SPEC §9): the private JWKs ID tokens are signed with, RS256 (RSA, 2048 bits or
// more) or ES256 (EC P-256), each with its own `kid`; the first signs, all are published, so keys
// rotate like TOKEN_ENCRYPTION_KEY. A key whose private part does not sign for its published public
// part is refused at start (it would fail at every relying party, silently). A problem never
// repeats a key's text: it is private.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";

export interface SigningKey {
  kid: string;
  alg: "RS256" | "ES256";
  /** The private JWK as given (or generated); published without its private members. */
  jwk: Record<string, unknown>;
}

const MIN_RSA_BITS = 2048;

export function readSigningKeys(json: unknown, errors: string[]): SigningKey[] {
  const array = Array.isArray(json)
    ? json
    : typeof json === "object" && json !== null && Array.isArray((json as { keys?: unknown }).keys)
      ? (json as { keys: unknown[] }).keys
      : null;
  if (!array || array.length === 0) {
    errors.push('OIDC_SIGNING_KEYS: must be a non-empty JSON array of private JWKs (or a JWK Set, {"keys": [...]})');
    return [];
  }
  const keys = array.flatMap((jwk, index) => {
    const key = readSigningKey(jwk, `OIDC_SIGNING_KEYS[${index}]`, errors);
    return key ? [key] : [];
  });
  const seen = new Set<string>();
  for (const { kid } of keys) {
    if (seen.has(kid)) errors.push(`OIDC_SIGNING_KEYS: kid "${kid}" is used by more than one key`);
    seen.add(kid);
  }
  return keys;
}

function readSigningKey(jwk: unknown, where: string, errors: string[]): SigningKey | null {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    errors.push(`${where}: must be a JWK (a JSON object)`);
    return null;
  }
  const fields = jwk as Record<string, unknown>;
  const problem = signingKeyProblem(fields);
  if (problem) {
    // Never the key's text: it is private.
    errors.push(`${where}${typeof fields.kid === "string" ? ` (kid "${fields.kid.slice(0, 64)}")` : ""}: ${problem}`);
    return null;
  }
  return { kid: fields.kid as string, alg: fields.kty === "RSA" ? "RS256" : "ES256", jwk: fields };
}

function signingKeyProblem(fields: Record<string, unknown>): string | null {
  if (typeof fields.kid !== "string" || !/^[\x21-\x7e]{1,128}$/.test(fields.kid))
    return "needs a kid (1-128 printable characters), which ID tokens name";
  const expectedAlg = fields.kty === "RSA" ? "RS256" : fields.kty === "EC" && fields.crv === "P-256" ? "ES256" : null;
  if (expectedAlg === null) return "must be an RSA key (RS256) or an EC P-256 key (ES256)";
  if (fields.alg !== undefined && fields.alg !== expectedAlg) return `alg must be ${expectedAlg} for this key type`;
  if (fields.use !== undefined && fields.use !== "sig") return 'use must be "sig"';
  if (typeof fields.d !== "string") return "must be a private key (it has no d)";
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: fields as never, format: "jwk" });
  } catch {
    return "is not a valid private JWK";
  }
  if (key.asymmetricKeyType === "rsa" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)
    return `RSA keys must have at least ${MIN_RSA_BITS} bits`;
  return signsForItsPublicHalf(key, fields) ? null : "is not a valid private JWK (its private part does not match its public one)";
}

/** What the key signs verifies with the public members it will be published with (a mismatch would fail silently, at every relying party). */
function signsForItsPublicHalf(key: KeyObject, fields: Record<string, unknown>): boolean {
  const published =
    fields.kty === "RSA" ? { kty: "RSA", n: fields.n, e: fields.e } : { kty: "EC", crv: fields.crv, x: fields.x, y: fields.y };
  try {
    const probe = Buffer.from("oidc signing key check");
    return verify("sha256", probe, createPublicKey({ key: published as never, format: "jwk" }), sign("sha256", probe, key));
  } catch {
    return false;
  }
}

let processKey: SigningKey | undefined;

/** A key for this process only (demo mode, development): RS256, which every relying party accepts. Made once per process. */
export function generatedKey(): SigningKey {
  processKey ??= newKey();
  return processKey;
}

function newKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: MIN_RSA_BITS });
  const kid = `generated-${Date.now().toString(36)}`;
  return { kid, alg: "RS256", jwk: { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}
