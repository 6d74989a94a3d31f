// PKCE (RFC 7636), S256 only, as GitHub supports: the verifier stays with us, GitHub sees only its
// hash, so a code intercepted on its way back cannot be exchanged by anyone else.
import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes → 43 base64url characters, the minimum length RFC 7636 allows. */
export function createCodeVerifier(): string {
  return randomBytes(32).toString("base64url");
}

export function codeChallengeFor(codeVerifier: string): string {
  return createHash("sha256").update(codeVerifier).digest("base64url");
}
