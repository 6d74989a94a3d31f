// How long a session lives, what signs its cookie, and whether cookies are Secure (their names
// and attributes are http/cookies.ts).
import type { SessionConfig } from "./config.js";
import type { ParsedEnvironment } from "./schema.js";

export function sessionConfig(env: ParsedEnvironment, secrets: string[], secureCookies: boolean): SessionConfig {
  return {
    secrets,
    idleTimeoutMs: env.SESSION_IDLE_TIMEOUT,
    maxAgeMs: env.SESSION_MAX_AGE,
    secureCookies,
  };
}
