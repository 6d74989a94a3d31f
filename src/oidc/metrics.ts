// The provider's counters, in the server's registry beside the others (/metrics): authorizations by
// outcome, and token requests by grant and outcome (refreshes above all: each decides access again).
// Labels come from fixed sets only.
import { Counter } from "prom-client";
import type { Metrics } from "../metrics.js";

export const GRANT_OUTCOMES = ["issued", "refused", "unconfirmed"] as const;
/** ok; not_allowed: the gate refused; reused: a used refresh token past the grace (the grant is revoked); ended: its session is gone; error: anything else. */
export const TOKEN_OUTCOMES = ["ok", "not_allowed", "reused", "ended", "unavailable", "error"] as const;
export const TOKEN_GRANTS = ["authorization_code", "refresh_token", "device_code", "other"] as const;

export interface OidcMetrics {
  grants: Counter<"outcome">;
  tokens: Counter<"grant_type" | "outcome">;
}

export function createOidcMetrics({ registry }: Pick<Metrics, "registry">): OidcMetrics {
  const registers = [registry];
  const metrics: OidcMetrics = {
    grants: new Counter({
      name: "gls_oidc_grants_total",
      help: "OpenID Connect authorizations, by outcome (issued, refused, unconfirmed)",
      labelNames: ["outcome"],
      registers,
    }),
    tokens: new Counter({
      name: "gls_oidc_token_requests_total",
      help: "OpenID Connect token requests, by grant type and outcome (ok, not_allowed, reused, ended, unavailable, error)",
      labelNames: ["grant_type", "outcome"],
      registers,
    }),
  };
  for (const outcome of GRANT_OUTCOMES) metrics.grants.inc({ outcome }, 0);
  for (const grantType of TOKEN_GRANTS) for (const outcome of TOKEN_OUTCOMES) metrics.tokens.inc({ grant_type: grantType, outcome }, 0);
  return metrics;
}

/** The label of a grant_type parameter: one of a fixed set, whatever a client sends. */
export function grantTypeLabel(grantType: unknown): (typeof TOKEN_GRANTS)[number] {
  if (grantType === "authorization_code" || grantType === "refresh_token") return grantType;
  return grantType === "urn:ietf:params:oauth:grant-type:device_code" ? "device_code" : "other";
}
