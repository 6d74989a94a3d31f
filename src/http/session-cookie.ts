// The session cookie's value, exactly as express-session writes it: `s:<id>.<HMAC-SHA256 signature>`
// (cookie-signature), signed with the first SESSION_SECRET and accepted under any of them, so
// rotating the secret signs nobody out, and a forged or tampered id is never looked up. Its name
// and attributes are decided in cookies.ts.
import { createSecretKey } from "node:crypto";
import { parse as parseCookies } from "cookie";
import { sign, unsign } from "cookie-signature";
import type { Config } from "../config/config.js";
import { serverCookies } from "./cookies.js";

const SIGNED_PREFIX = "s:";

export interface SessionCookie {
  sessionId: string;
  /** False when an older secret signed it: the cookie should be signed again with the current one. */
  signedWithCurrentSecret: boolean;
}

export interface SessionCookies {
  /** The session id in this Cookie header, when its signature checks out under one of the secrets. */
  read(cookieHeader: string | undefined): SessionCookie | null;
  /** The cookie value for a session id, signed with the current (first) secret. */
  signedValue(sessionId: string): string;
}

export function sessionCookies(config: Config): SessionCookies {
  const { name } = serverCookies(config.session.secureCookies).session;
  // Prepared once: an HMAC keyed with a KeyObject skips re-reading the secret on every request.
  const keys = config.session.secrets.map((secret) => createSecretKey(Buffer.from(secret, "utf8")));
  return {
    read(cookieHeader) {
      if (!cookieHeader) return null;
      const value = parseCookies(cookieHeader)[name];
      if (!value?.startsWith(SIGNED_PREFIX)) return null;
      const signed = value.slice(SIGNED_PREFIX.length);
      for (let index = 0; index < keys.length; index += 1) {
        const sessionId = unsign(signed, keys[index]!);
        if (sessionId !== false && sessionId !== "") return { sessionId, signedWithCurrentSecret: index === 0 };
      }
      return null;
    },
    signedValue: (sessionId) => `${SIGNED_PREFIX}${sign(sessionId, keys[0]!)}`,
  };
}
