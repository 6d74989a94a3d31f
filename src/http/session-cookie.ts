// The session cookie's value, exactly as express-session writes it: `s:<id>.<HMAC-SHA256 signature>`
// (cookie-signature), signed with the first SESSION_SECRET and accepted under any of them, so
// rotating the secret signs nobody out, and a forged or tampered id is never looked up. Its name
// and attributes are decided in cookies.ts.
//
// On a protected host (SPEC §6) the signed value also names the host: `s:<id>|<host>.<signature>`.
// One sign-in shares one session entry across its hosts, so the applications behind them see a
// cookie for that entry; the host in the signature keeps a cookie an application could copy from
// its own requests from working on any other host, the login host included (where only the plain
// `s:<id>.<signature>` express-session writes is accepted).
import { createSecretKey } from "node:crypto";
import { parse as parseCookies } from "cookie";
import { sign, unsign } from "cookie-signature";
import type { Config } from "../config/config.js";
import { serverCookies } from "./cookies.js";
import type { RequestHost } from "./request-host.js";

const SIGNED_PREFIX = "s:";
/** Never in a session id (base64url) nor in a host name. */
const HOST_SEPARATOR = "|";

export interface SessionCookie {
  sessionId: string;
  /** False when an older secret signed it: the cookie should be signed again with the current one. */
  signedWithCurrentSecret: boolean;
}

export interface SessionCookies {
  /** The session id in this Cookie header, when its signature checks out under one of the secrets and it was made for `host`. */
  read(cookieHeader: string | undefined, host: RequestHost): SessionCookie | null;
  /** The cookie value for a session id on `host`, signed with the current (first) secret. */
  signedValue(sessionId: string, host: RequestHost): string;
}

export function sessionCookies(config: Config): SessionCookies {
  const { name } = serverCookies(config.session.secureCookies).session;
  // Prepared once: an HMAC keyed with a KeyObject skips re-reading the secret on every request.
  const keys = config.session.secrets.map((secret) => createSecretKey(Buffer.from(secret, "utf8")));
  return {
    read(cookieHeader, host) {
      if (!cookieHeader) return null;
      const value = parseCookies(cookieHeader)[name];
      if (!value?.startsWith(SIGNED_PREFIX)) return null;
      const signed = value.slice(SIGNED_PREFIX.length);
      for (let index = 0; index < keys.length; index += 1) {
        const subject = unsign(signed, keys[index]!);
        if (subject === false) continue;
        const sessionId = sessionIdFor(subject, host);
        return sessionId ? { sessionId, signedWithCurrentSecret: index === 0 } : null;
      }
      return null;
    },
    signedValue: (sessionId, host) => `${SIGNED_PREFIX}${sign(host.login ? sessionId : `${sessionId}${HOST_SEPARATOR}${host.host}`, keys[0]!)}`,
  };
}

/** The session id a signed subject names on `host`: plain on the login host, bound to the host elsewhere. */
function sessionIdFor(subject: string, host: RequestHost): string | null {
  const separator = subject.indexOf(HOST_SEPARATOR);
  if (host.login) return separator === -1 && subject !== "" ? subject : null;
  if (separator <= 0 || subject.slice(separator + 1) !== host.host) return null;
  return subject.slice(0, separator);
}
