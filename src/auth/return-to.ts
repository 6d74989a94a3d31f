// Where to send the browser after sign-in. Only a path on this site is kept: anything that could
// leave the origin (//evil.com, /\evil.com, https://…, javascript:, tabs or newlines that URL
// parsers strip, or the same tricks percent-encoded) falls back to "/". Stops open redirects.
//
// The value is judged twice: as given (so that nothing a URL parser would quietly strip or
// reinterpret gets through), and as the browser will finally receive it — after the URL parser
// has decoded dot segments (`.`, `%2e`) and collapsed them. `/.//evil.example` is a plain path as
// written, but resolves to `//evil.example`, which a browser reads as another host.
//
// On the login host an absolute URL on a protected host (SPEC §6) is kept too, and only when its
// authority reads exactly as the URL parser reads it: no user info, no percent-encoding, no
// non-ASCII (IDN) or trailing-dot spelling, no other scheme or port than the protected host's —
// so what is checked is what the browser goes to. Its path passes the same checks as a local one.
import type { KnownHost } from "../config/host-table.js";

const MAX_LENGTH = 2048;
const ABSOLUTE = /^(https?:)\/\/([^/?#]*)(.*)$/is;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function safeReturnTo(candidate: unknown, publicUrl: string): string {
  if (typeof candidate !== "string" || candidate.length === 0 || candidate.length > MAX_LENGTH) return "/";
  if (!isPlainPath(candidate)) return "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(candidate);
  } catch {
    return "/";
  }
  if (!isPlainPath(decoded)) return "/";
  const origin = new URL(publicUrl).origin;
  const normalised = new URL(candidate, origin);
  const target = `${normalised.pathname}${normalised.search}${normalised.hash}`;
  return isSameOriginTarget(target, origin) ? target : "/";
}

/**
 * `candidate` when it is an absolute URL on a protected host that `protectedHostOf` knows, with a
 * safe path; otherwise what safeReturnTo makes of it (a local path, or "/").
 */
export function safeReturnToOrProtected(candidate: unknown, publicUrl: string, protectedHostOf: (url: URL) => KnownHost | null): string {
  return (typeof candidate === "string" && protectedReturnTo(candidate, protectedHostOf)) || safeReturnTo(candidate, publicUrl);
}

function protectedReturnTo(candidate: string, protectedHostOf: (url: URL) => KnownHost | null): string | null {
  if (candidate.length > MAX_LENGTH || CONTROL_CHARACTERS.test(candidate) || /[\\\s]/.test(candidate)) return null;
  const parts = ABSOLUTE.exec(candidate);
  if (!parts) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  const host = protectedHostOf(url);
  if (!host || url.username !== "" || url.password !== "" || parts[2]!.toLowerCase() !== url.host) return null;
  const path = parts[3] === "" ? "/" : parts[3]!;
  return safeReturnTo(path, host.origin) === path ? `${host.origin}${path}` : null;
}

/**
 * The final check, on exactly what goes into the Location header: one leading slash, nothing a
 * browser could read as another host, no longer than allowed, and still on this origin when
 * resolved again (so a second resolution by the browser cannot move it either).
 */
function isSameOriginTarget(target: string, origin: string): boolean {
  if (target.length > MAX_LENGTH || !isPlainPath(target)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return false;
  }
  if (!isPlainPath(decoded)) return false;
  const again = new URL(target, origin);
  return again.origin === origin && `${again.pathname}${again.search}${again.hash}` === target;
}

function isPlainPath(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !path.includes("\\") && !CONTROL_CHARACTERS.test(path);
}
