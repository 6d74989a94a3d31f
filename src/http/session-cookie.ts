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
import { createSecretKey, type KeyObject } from "node:crypto";
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
  const verify = rememberedVerification(keys);
  return {
    read(cookieHeader, host) {
      if (!cookieHeader) return null;
      const value = parseCookies(cookieHeader)[name];
      if (!value?.startsWith(SIGNED_PREFIX)) return null;
      const verified = verify(value.slice(SIGNED_PREFIX.length));
      if (!verified) return null;
      const sessionId = sessionIdFor(verified.subject, host);
      return sessionId ? { sessionId, signedWithCurrentSecret: verified.currentSecret } : null;
    },
    signedValue: (sessionId, host) =>
      `${SIGNED_PREFIX}${sign(host.login ? sessionId : `${sessionId}${HOST_SEPARATOR}${host.host}`, keys[0]!)}`,
  };
}

/** Cookie values whose signature checked out, remembered: a browser sends the same one on every request. */
const MAX_REMEMBERED_SIGNATURES = 10_000;

interface Verified {
  subject: string;
  /** Signed with the first (current) secret. */
  currentSecret: boolean;
}

/**
 * The signature check of a signed value, under any of the keys. Its outcome depends only on the
 * value and the keys, which are fixed for the life of the process, so a value that checked out is
 * remembered and not checked again (the HMAC was a tenth of a check's CPU). Only values that checked
 * out are remembered: a forged value cannot get in, and every forgery is checked in full.
 */
function rememberedVerification(keys: KeyObject[]): (signed: string) => Verified | null {
  const remembered = new Map<string, Verified>();
  return (signed) => {
    const known = remembered.get(signed);
    if (known) return known;
    for (let index = 0; index < keys.length; index += 1) {
      const subject = unsign(signed, keys[index]!);
      if (subject === false) continue;
      // The oldest remembered value makes room: a Map keeps its keys in the order they were added.
      if (remembered.size >= MAX_REMEMBERED_SIGNATURES) remembered.delete(remembered.keys().next().value!);
      const verified = { subject, currentSecret: index === 0 };
      remembered.set(signed, verified);
      return verified;
    }
    return null;
  };
}

/** The session id a signed subject names on `host`: plain on the login host, bound to the host elsewhere. */
function sessionIdFor(subject: string, host: RequestHost): string | null {
  const separator = subject.indexOf(HOST_SEPARATOR);
  if (host.login) return separator === -1 && subject !== "" ? subject : null;
  if (separator <= 0 || subject.slice(separator + 1) !== host.host) return null;
  return subject.slice(0, separator);
}
