// Where to send the browser after sign-in. Only a path on this site is kept: anything that could
// leave the origin (//evil.com, /\evil.com, https://…, javascript:, tabs or newlines that URL
// parsers strip, or the same tricks percent-encoded) falls back to "/". Stops open redirects.
//
// The value is judged twice: as given (so that nothing a URL parser would quietly strip or
// reinterpret gets through), and as the browser will finally receive it — after the URL parser
// has decoded dot segments (`.`, `%2e`) and collapsed them. `/.//evil.example` is a plain path as
// written, but resolves to `//evil.example`, which a browser reads as another host.
const MAX_LENGTH = 2048;
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
