// The environment as zod sees it: one entry per variable of SPEC §2, each parsed on its own so that
// every problem is reported at once. Cross-variable rules live beside the part they shape (load-config.ts).
import { z } from "zod";
import { parseDuration } from "./durations.js";
import { isOrigin, parseTrustProxy, splitList } from "./lists.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);

/** Treats `VAR=` (empty) the same as an unset variable, as most .env tooling does. */
const text = () => z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), z.string().optional());

const duration = (fallback: string) =>
  text().transform((value, ctx) => {
    const milliseconds = parseDuration(value ?? fallback);
    if (milliseconds === null) {
      ctx.addIssue({ code: "custom", message: `must be a duration such as 90s, 15m, 24h, 30d or plain seconds (got "${value}")` });
      return z.NEVER;
    }
    return milliseconds;
  });

const httpUrl = (what: string) =>
  text().refine((value) => value === undefined || isHttpUrl(value), { message: `must be an http(s) URL (${what})` });

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

/** `host:port,host:port,…`: Redis Cluster nodes or Sentinels. */
const hostPortList = () =>
  text().transform((value, ctx) =>
    splitList(value).map((entry) => {
      const match = /^(.+):(\d{1,5})$/.exec(entry);
      const port = Number(match?.[2] ?? 0);
      if (!match || port < 1 || port > 65535) ctx.addIssue({ code: "custom", message: `must be host:port pairs; not valid: ${entry}` });
      return { host: match?.[1] ?? "", port };
    }),
  );

export const environmentSchema = z.object({
  NODE_ENV: text(),
  PORT: text().transform((value, ctx) => {
    const port = Number(value ?? "3000");
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      ctx.addIssue({ code: "custom", message: `must be a port number 1-65535 (got "${value}")` });
      return z.NEVER;
    }
    return port;
  }),
  // Default: 127.0.0.1 in demo mode (anyone who reaches it can sign in as a demo user), else 0.0.0.0.
  HOST: text(),
  PUBLIC_URL: httpUrl("the origin browsers use, e.g. https://login.example.com"),
  GITHUB_CLIENT_ID: text(),
  GITHUB_CLIENT_SECRET: text(),
  GITHUB_CLIENT_TYPE: text()
    .pipe(z.enum(["auto", "oauth-app", "github-app"]).optional())
    .transform((value) => value ?? "auto"),
  GITHUB_SCOPES: text().transform((value) => (value ?? "read:user user:email").split(/[\s,]+/).filter(Boolean)),
  GITHUB_BASE_URL: httpUrl("GitHub's web origin, e.g. https://github.com"),
  GITHUB_API_URL: httpUrl("GitHub's REST API base, e.g. https://api.github.com"),
  REDIS_URL: text().refine((value) => value === undefined || /^rediss?:\/\/./.test(value), {
    message: "must start with redis:// or rediss://",
  }),
  REDIS_CLUSTER_NODES: hostPortList(),
  REDIS_SENTINELS: hostPortList(),
  REDIS_USERNAME: text(),
  REDIS_PASSWORD: text(),
  REDIS_SENTINEL_PASSWORD: text(),
  REDIS_SENTINEL_NAME: text().refine((value) => value === undefined || /^[\w.-]{1,64}$/.test(value), {
    message: "must be the master's name as the Sentinels know it (letters, digits, _ . -)",
  }),
  REDIS_KEY_PREFIX: text()
    .transform((value) => value ?? "gls:")
    .refine((value) => /^[\w:.{}-]{1,64}$/.test(value), { message: "must be 1-64 characters of letters, digits, and _ : . - { }" }),
  SESSION_SECRET: text(),
  TOKEN_ENCRYPTION_KEY: text(),
  SESSION_IDLE_TIMEOUT: duration("24h"),
  SESSION_MAX_AGE: duration("30d"),
  TRUST_PROXY: text().transform((value, ctx) => {
    const trust = parseTrustProxy(value ?? "false");
    if (trust === null) {
      ctx.addIssue({ code: "custom", message: `must be true, false, a hop count, or IP addresses/subnets (got "${value}")` });
      return z.NEVER;
    }
    return trust;
  }),
  // The allow-lists are read together by access-config.ts, with the parser the per-route rules of
  // /auth/check use, so that a list means the same in a variable and in a rule.
  ALLOWED_USERS: text(),
  // Read with PUBLIC_URL, whose scheme and host they depend on (protected-hosts.ts).
  PROTECTED_HOSTS: text(),
  ALLOWED_ORGS: text(),
  ALLOWED_TEAMS: text(),
  ALLOWED_REPOS: text(),
  CORS_ORIGINS: text().transform((value, ctx) => {
    const origins = splitList(value);
    const invalid = origins.filter((origin) => !isOrigin(origin));
    if (invalid.length > 0)
      ctx.addIssue({ code: "custom", message: `must be origins such as https://app.example.com; not valid: ${invalid.join(", ")}` });
    return origins;
  }),
  GITHUB_WEBHOOK_SECRET: text(),
  GITHUB_TIMEOUT: duration("10s"),
  GITHUB_PROXY_METHODS: text().transform((value, ctx) => {
    const methods = splitList(value ?? "GET,HEAD").map((method) => method.toUpperCase());
    const invalid = methods.filter((method) => !HTTP_METHODS.has(method));
    if (invalid.length > 0)
      ctx.addIssue({
        code: "custom",
        message: `must be HTTP methods among ${[...HTTP_METHODS].join(", ")}; not valid: ${invalid.join(", ")}`,
      });
    return methods;
  }),
  PROFILE_MAX_AGE: duration("5m"),
  ACCESS_MAX_STALE: duration("1h"),
  DEVICE_FLOW: text().transform((value, ctx) => {
    const setting = (value ?? "false").trim().toLowerCase();
    if (setting === "true" || setting === "false") return setting === "true";
    ctx.addIssue({ code: "custom", message: `must be true or false (got "${value}")` });
    return z.NEVER;
  }),
  AUTH_RATE_LIMIT: text().transform((value, ctx) => {
    const setting = (value ?? "60/1m").trim().toLowerCase();
    if (setting === "off") return null;
    const match = /^(\d{1,6})\/(.+)$/.exec(setting);
    const durationMs = match ? parseDuration(match[2]!) : null;
    if (!match || Number(match[1]) < 1 || durationMs === null) {
      ctx.addIssue({ code: "custom", message: `must be <requests>/<duration> such as 60/1m, or off (got "${value}")` });
      return z.NEVER;
    }
    return { points: Number(match[1]), durationMs };
  }),
  METRICS_TOKEN: text().refine((value) => value === undefined || /^[\x21-\x7e]{16,256}$/.test(value), {
    message: "must be 16-256 printable characters without spaces (generate one with: openssl rand -hex 32)",
  }),
  LOG_LEVEL: text()
    .pipe(z.enum(LOG_LEVELS).optional())
    .transform((value) => value ?? "info"),
  // JSON (or @/path), read and checked whole by oidc-config.ts.
  OIDC_CLIENTS: text(),
  OIDC_SIGNING_KEYS: text(),
});

export type ParsedEnvironment = z.infer<typeof environmentSchema>;
