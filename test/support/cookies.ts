// The server's cookies as tests read them: the names written out here once, as users and proxy
// configurations see them (not imported from src, so a renamed cookie fails the tests that care),
// and the session id read out of the session cookie the way express-session writes it.
import type { Response } from "supertest";

/** The session cookie's name on http; on https it carries the __Host- prefix. */
export const SESSION_COOKIE = "gls.sid";
/** The browser binding every sign-in attempt is tied to; __Host- prefixed on https. */
export const BINDING_COOKIE = "gls-signin";
export const HOST_ONLY_PREFIX = "__Host-";

/** Every Set-Cookie header of a response. */
export function setCookies(response: Response): string[] {
  return (response.headers["set-cookie"] as unknown as string[] | undefined) ?? [];
}

/** The value of a Set-Cookie header for `name`, or undefined. */
export function setCookie(response: Response, name: string): string | undefined {
  return setCookies(response).find((header) => header.startsWith(`${name}=`));
}

/** The `name=value` of the session cookie a response set (e.g. a sign-in callback), for a Cookie header. */
export function sessionCookieOf(response: Response, name = SESSION_COOKIE): string {
  const header = setCookie(response, name);
  if (!header) throw new Error(`no ${name} cookie was set (status ${response.status})`);
  return header.split(";")[0]!;
}

/**
 * The session id in a session cookie, `name=value` (a Cookie header's pair) or the bare value:
 * express-session writes `s:<id>.<signature>`, URL-encoded; on a protected host the signed part
 * also names the host, `s:<id>|<host>.<signature>`. Throws on anything else, so a test
 * never looks up a key built from a malformed cookie and finds nothing by accident.
 */
export function sessionIdOf(cookie: string): string {
  const named = [`${SESSION_COOKIE}=`, `${HOST_ONLY_PREFIX}${SESSION_COOKIE}=`].some((name) => cookie.startsWith(name));
  const value = named ? cookie.slice(cookie.indexOf("=") + 1) : cookie;
  const signed = /^s:([^.|]+)(?:\|[^|]+)?\.[^.|]+$/.exec(decodeURIComponent(value));
  if (!signed) throw new Error(`not a signed session cookie: ${cookie}`);
  return signed[1]!;
}

/** The Redis key of the session entry a session cookie names, under a stack's key prefix. */
export function sessionEntryKeyOf(keyPrefix: string, cookie: string): string {
  return `${keyPrefix}sess:${sessionIdOf(cookie)}`;
}
