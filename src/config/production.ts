// Settings production cannot run without: real GitHub credentials, a shared session store, and
// secrets that survive a restart (random ones would sign everybody out on every deploy). And one it
// cannot run with: a TRUST_PROXY that trusts every sender, which lets any client write its own
// address (SPEC §2; outside production it is a harmless local shortcut).
import type { ParsedEnvironment } from "./schema.js";

export function requireProductionSettings(env: ParsedEnvironment, errors: string[]): void {
  const required: [string, unknown][] = [
    ["SESSION_SECRET", env.SESSION_SECRET],
    ["TOKEN_ENCRYPTION_KEY", env.TOKEN_ENCRYPTION_KEY],
    ["GITHUB_CLIENT_ID", env.GITHUB_CLIENT_ID],
    ["GITHUB_CLIENT_SECRET", env.GITHUB_CLIENT_SECRET],
    ["PUBLIC_URL", env.PUBLIC_URL],
  ];
  for (const [name, value] of required) {
    if (!value) errors.push(`${name}: required when NODE_ENV=production`);
  }
  if (!env.REDIS_URL && env.REDIS_CLUSTER_NODES.length === 0 && env.REDIS_SENTINELS.length === 0) {
    errors.push("REDIS_URL (or REDIS_CLUSTER_NODES, or REDIS_SENTINELS): required when NODE_ENV=production");
  }
  if (trustsEverySender(env.TRUST_PROXY)) {
    errors.push(
      "TRUST_PROXY: trusts every sender (true, or a /0 subnet), refused when NODE_ENV=production: Express then takes the leftmost " +
        "X-Forwarded-For entry, which the client writes itself, so any client picks its own address for the sign-in rate limit. " +
        "Set the number of proxies in front (TRUST_PROXY=1) or their addresses or subnets (TRUST_PROXY=loopback, TRUST_PROXY=10.0.0.0/8).",
    );
  }
}

/** `true`, or a subnet that spans every address: every sender counts as a trusted proxy. */
function trustsEverySender(trust: ParsedEnvironment["TRUST_PROXY"]): boolean {
  return trust === true || (Array.isArray(trust) && trust.some((entry) => entry.endsWith("/0")));
}
