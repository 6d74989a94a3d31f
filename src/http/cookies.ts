// Every cookie this server sets, with its name, prefix and attributes: the one place that decides
// them (SPEC §6: host-only everywhere). What the attributes stop:
// - Host-only: no Domain, Path=/, and on https the __Host- prefix, which browsers enforce (Secure,
//   no Domain, Path=/). A sibling or parent domain can neither read these cookies nor plant its own
//   under the same name (cookie tossing: a planted session or binding cookie).
// - HttpOnly: no script in a page reads them, so an injected script cannot carry a session away.
// - SameSite=Lax, not Strict: the callback is a top-level navigation coming back from GitHub's site
//   and must carry the binding; cross-site subrequests and form posts carry neither cookie (CSRF).
import type { CookieOptions, Response } from "express";

const HOST_ONLY_PREFIX = "__Host-";
const SESSION_COOKIE = "gls.sid";
const BINDING_COOKIE = "gls-signin";
/** How long a browser keeps its sign-in binding; every sign-in started renews it. */
const BINDING_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

export interface CookieDefinition {
  name: string;
  /** Every attribute but the lifetime, which belongs to each Set-Cookie. */
  attributes: CookieOptions;
}

export interface ServerCookies {
  /** The session cookie (value format: session-cookie.ts); its Max-Age follows the session's idle expiry. */
  session: CookieDefinition;
  /** The browser binding every sign-in attempt of this browser is tied to (auth/sign-in-attempt.ts). */
  binding: CookieDefinition & { lifetimeMs: number };
  /** Removes the session cookie from the browser. */
  clearSession(response: Response): void;
  /** Sets (and so renews) the browser binding. */
  setBinding(response: Response, value: string): void;
}

/** `secure`: PUBLIC_URL is https (config.session.secureCookies). */
export function serverCookies(secure: boolean): ServerCookies {
  const prefix = secure ? HOST_ONLY_PREFIX : "";
  const hostOnly = (): CookieOptions => ({ httpOnly: true, sameSite: "lax", secure, path: "/" });
  const session = { name: `${prefix}${SESSION_COOKIE}`, attributes: hostOnly() };
  const binding = { name: `${prefix}${BINDING_COOKIE}`, attributes: hostOnly(), lifetimeMs: BINDING_LIFETIME_MS };
  return {
    session,
    binding,
    clearSession: (response) => void response.clearCookie(session.name, session.attributes),
    setBinding: (response, value) => void response.cookie(binding.name, value, { ...binding.attributes, maxAge: binding.lifetimeMs }),
  };
}
