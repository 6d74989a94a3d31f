// Settings production cannot run without: real GitHub credentials, a shared session store, and
// secrets that survive a restart (random ones would sign everybody out on every deploy).
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
}
