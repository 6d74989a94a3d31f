// Session tokens: what a program holds instead of a cookie (Authorization: Bearer). A token is 32
// random bytes; the session's id in the store is a keyed hash of it (HMAC-SHA256 under a key
// derived from SESSION_SECRET), so a Redis dump, a log of keys or the user's session index holds
// nothing that can be presented as a token. Every configured secret derives a key: the first names
// new sessions, the others still find the sessions named before a rotation.
import { createHmac, randomBytes } from "node:crypto";

/** `gls_` says what the token is to a secret scanner and to whoever finds it in a config file. */
const TOKEN_PREFIX = "gls_";
const TOKEN_PATTERN = /^gls_[A-Za-z0-9_-]{43}$/;
/** Ids of token-named sessions carry a mark of their own, so they never collide with express-session's. */
const SESSION_ID_PREFIX = "t.";

export interface SessionTokens {
  /** A new token and the session id it names. */
  issue(): { token: string; sessionId: string };
  /** The ids the token may name, current secret first; none for anything that is not a token's shape. */
  sessionIdsFor(token: string): string[];
}

export function sessionTokens(secrets: string[]): SessionTokens {
  // Derived, not the secret itself: the cookie signatures keyed by the same secret stay unrelated.
  const keys = secrets.map((secret) => createHmac("sha256", secret).update("session-token-id").digest());
  const idUnder = (key: Buffer, token: string) => `${SESSION_ID_PREFIX}${createHmac("sha256", key).update(token).digest("base64url")}`;
  return {
    issue() {
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
      return { token, sessionId: idUnder(keys[0]!, token) };
    },
    sessionIdsFor: (token) => (TOKEN_PATTERN.test(token) ? keys.map((key) => idUnder(key, token)) : []),
  };
}
