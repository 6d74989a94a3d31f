// How long a session lives and how its cookie is named and protected.
import type { SessionConfig } from "./config.js";
import type { ParsedEnvironment } from "./schema.js";

export function sessionConfig(env: ParsedEnvironment, secrets: string[], secureCookies: boolean): SessionConfig {
  return {
    secrets,
    idleTimeoutMs: env.SESSION_IDLE_TIMEOUT,
    maxAgeMs: env.SESSION_MAX_AGE,
    // The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and Path=/,
    // so a sibling subdomain cannot plant or overwrite it.
    cookieName: secureCookies ? "__Host-gls.sid" : "gls.sid",
    secureCookies,
  };
}
