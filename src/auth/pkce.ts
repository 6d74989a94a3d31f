// PKCE (RFC 7636), S256 only, as GitHub supports: the verifier stays with us (it is derived from
// the browser binding, see sign-in-attempt.ts), GitHub sees only its hash, so a code intercepted
// on its way back cannot be exchanged by anyone else.
import { createHash } from "node:crypto";

export function codeChallengeFor(codeVerifier: string): string {
  return createHash("sha256").update(codeVerifier).digest("base64url");
}
