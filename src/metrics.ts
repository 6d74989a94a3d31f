// The Prometheus metrics the server exposes at /metrics (prom-client). Each app gets its own
// registry, never prom-client's global one, so several instances in one process (tests, a
// load-balanced pair) count separately. Label values are always from small fixed sets (route
// patterns, outcome names, status codes): a label fed from user input would grow without bound.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export const SIGN_IN_OUTCOMES = [
  "success",
  "cancelled",
  "invalid_state",
  "invalid_handoff",
  "code_refused",
  "not_allowed",
  "github_unavailable",
  "github_rate_limited",
  "github_misconfigured",
  "github_error",
  "session_store_unavailable",
  "too_many_requests",
  "error",
] as const;
export type SignInOutcome = (typeof SIGN_IN_OUTCOMES)[number];

/**
 * How a token refresh ended: ok (refreshed here), lost_race (used the tokens another request or
 * instance refreshed), refused (GitHub will not refresh: the session ended), network (GitHub
 * unreachable or 5xx: the session stays), error (GitHub refused for another reason: it stays too).
 */
export const REFRESH_OUTCOMES = ["ok", "lost_race", "refused", "network", "error"] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

/** How sessions end: signed out (this one, or everywhere), or ended by the server and why (auth/audit.ts). */
export const SESSION_END_REASONS = [
  "this_session",
  "other_session",
  "everywhere",
  "authorization_gone",
  "not_allowed",
  "revoked",
  "max_age",
  "operator",
] as const;
export type SessionEndLabel = (typeof SESSION_END_REASONS)[number];

const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpRequestDuration: Histogram<"method" | "route" | "status">;
  signIns: Counter<"outcome">;
  tokenRefreshes: Counter<"outcome">;
  githubRequests: Counter<"endpoint" | "status">;
  githubRateLimitRemaining: Gauge<"resource">;
  sessionStoreErrors: Counter;
  sessionEndings: Counter<"reason">;
}

export interface MetricsOptions {
  /** Also export Node's process metrics (CPU, memory, event loop): for the real server, not tests. */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    httpRequests: new Counter({
      name: "gls_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: "gls_http_request_duration_seconds",
      help: "Time from receiving a request to finishing its answer, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    signIns: new Counter({
      name: "gls_sign_ins_total",
      help: "Completed sign-in callbacks, by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    tokenRefreshes: new Counter({
      name: "gls_token_refreshes_total",
      help: "GitHub token refreshes, by outcome (ok, lost_race, refused, network, error)",
      labelNames: ["outcome"],
      registers,
    }),
    githubRequests: new Counter({
      name: "gls_github_requests_total",
      help: "Calls to GitHub, by endpoint and HTTP status (network_error when no answer came)",
      labelNames: ["endpoint", "status"],
      registers,
    }),
    githubRateLimitRemaining: new Gauge({
      name: "gls_github_rate_limit_remaining",
      help: "X-RateLimit-Remaining of the latest GitHub answer that carried one, by resource (budgets are per user token)",
      labelNames: ["resource"],
      registers,
    }),
    sessionEndings: new Counter({
      name: "gls_session_endings_total",
      help: "Sessions ended, by reason: signed out (this_session, other_session, everywhere: one per sign-out) or ended by the server (authorization_gone, not_allowed, revoked, max_age) or an operator (operator)",
      labelNames: ["reason"],
      registers,
    }),
    sessionStoreErrors: new Counter({
      name: "gls_session_store_errors_total",
      help: "Requests refused because the session store (Redis) did not answer",
      registers,
    }),
  };
  showEverySeries(metrics);
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: "gls_" });
  return metrics;
}

/** Every outcome shows from the start (as 0), so dashboards and alerts see a series before the first event. */
function showEverySeries(metrics: Metrics): void {
  for (const outcome of SIGN_IN_OUTCOMES) metrics.signIns.inc({ outcome }, 0);
  for (const outcome of REFRESH_OUTCOMES) metrics.tokenRefreshes.inc({ outcome }, 0);
  for (const reason of SESSION_END_REASONS) metrics.sessionEndings.inc({ reason }, 0);
}
