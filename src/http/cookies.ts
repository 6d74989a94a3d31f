// Every cookie this server sets, with its name, prefix and attributes: the one place that decides
// them (SPEC §6: host-only everywhere), and the one place that writes a Set-Cookie (on any node:http
// answer, Express's or not, with what Express's res.cookie would write: Max-Age and Expires). What
// the attributes stop:
// - Host-only: no Domain, Path=/, and on https the __Host- prefix, which browsers enforce (Secure,
//   no Domain, Path=/). A sibling or parent domain can neither read these cookies nor plant its own
//   under the same name (cookie tossing: a planted session or binding cookie).
// - HttpOnly: no script in a page reads them, so an injected script cannot carry a session away.
// - SameSite=Lax, not Strict: the callback is a top-level navigation coming back from GitHub's site
//   and must carry the binding; cross-site subrequests and form posts carry neither cookie (CSRF).
import type { ServerResponse } from "node:http";
import { serialize } from "cookie";

const HOST_ONLY_PREFIX = "__Host-";
const SESSION_COOKIE = "gls.sid";
const BINDING_COOKIE = "gls-signin";
/** How long a browser keeps its sign-in binding; every sign-in started renews it. */
const BINDING_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** What a removed cookie says: expired at the start of the epoch. */
const LONG_AGO = new Date(1);

/** Every attribute but the lifetime, which belongs to each Set-Cookie. */
export interface CookieAttributes {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
}

export interface CookieDefinition {
  name: string;
  attributes: CookieAttributes;
}

export interface ServerCookies {
  /** The session cookie (value format: session-cookie.ts); its Max-Age follows the session's idle expiry. */
  session: CookieDefinition;
  /** The browser binding every sign-in attempt of this browser is tied to (auth/sign-in-attempt.ts). */
  binding: CookieDefinition & { lifetimeMs: number };
  /** Gives the browser the session cookie with this value, living `maxAgeMs`. */
  setSession(response: ServerResponse, value: string, maxAgeMs: number): void;
  /** Removes the session cookie from the browser. */
  clearSession(response: ServerResponse): void;
  /** Sets (and so renews) the browser binding. */
  setBinding(response: ServerResponse, value: string): void;
}

/** `secure`: PUBLIC_URL is https (config.session.secureCookies). */
export function serverCookies(secure: boolean): ServerCookies {
  const prefix = secure ? HOST_ONLY_PREFIX : "";
  const hostOnly = (): CookieAttributes => ({ httpOnly: true, sameSite: "lax", secure, path: "/" });
  const session = { name: `${prefix}${SESSION_COOKIE}`, attributes: hostOnly() };
  const binding = { name: `${prefix}${BINDING_COOKIE}`, attributes: hostOnly(), lifetimeMs: BINDING_LIFETIME_MS };
  return {
    session,
    binding,
    setSession: (response, value, maxAgeMs) => setCookie(response, session, value, maxAgeMs),
    clearSession: (response) =>
      void response.appendHeader("Set-Cookie", serialize(session.name, "", { ...session.attributes, expires: LONG_AGO })),
    setBinding: (response, value) => setCookie(response, binding, value, binding.lifetimeMs),
  };
}

/** One Set-Cookie, with both Max-Age (whole seconds) and Expires, as Express's res.cookie writes it. */
function setCookie(response: ServerResponse, { name, attributes }: CookieDefinition, value: string, maxAgeMs: number): void {
  const cookie = serialize(name, value, { ...attributes, maxAge: Math.floor(maxAgeMs / 1000), expires: new Date(Date.now() + maxAgeMs) });
  response.appendHeader("Set-Cookie", cookie);
}
