// Where to send the browser after sign-in. Only a path on this site is kept: anything that could
// leave the origin (//evil.com, /\evil.com, https://…, javascript:, tabs or newlines that URL
// parsers strip, or the same tricks percent-encoded) falls back to "/". Stops open redirects.
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
  const resolved = new URL(candidate, origin);
  if (resolved.origin !== origin) return "/";
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

function isPlainPath(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !path.includes("\\") && !CONTROL_CHARACTERS.test(path);
}
