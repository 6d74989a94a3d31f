// PUBLIC_URL: the origin browsers use. It decides the callback URL and, through its scheme, whether
// cookies are Secure, so it must be a bare origin, and https in production except on loopback
// (where GitHub itself accepts http callbacks).
import type { ParsedEnvironment } from "./schema.js";

/** Loopback as SPEC §2 counts it: localhost and its subdomains, 127.0.0.0/8, [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost") || name === "[::1]") return true;
  const octets = name.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}

/** PUBLIC_URL without a trailing slash, `http://localhost:$PORT` when unset. */
export function readPublicUrl(env: ParsedEnvironment, errors: string[]): string {
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  const parsed = new URL(publicUrl);
  if (parsed.pathname !== "/" || parsed.search || parsed.hash) {
    errors.push(`PUBLIC_URL: must be an origin without a path, query or fragment (got "${publicUrl}")`);
  }
  return publicUrl;
}

export function requireHttpsInProduction(publicUrl: string, production: boolean, errors: string[]): void {
  const parsed = new URL(publicUrl);
  if (production && parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname)) {
    errors.push(
      "PUBLIC_URL: must be https:// in production (http:// is accepted only for loopback: localhost, *.localhost, 127.0.0.0/8 and [::1])",
    );
  }
}

/** Browsers keep Secure cookies only over https, so the scheme browsers use decides. */
export function usesSecureCookies(publicUrl: string): boolean {
  return new URL(publicUrl).protocol === "https:";
}
