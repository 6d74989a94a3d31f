// Defaults and sanity checks for EmulatorOptions. A misconfigured emulator fails at creation with a
// clear message rather than behaving oddly in the middle of a test.
import { systemClock, type Clock } from "./clock.js";
import { DEMO_USERS } from "./demo-data.js";
import { resolveOrgData, type OrgData } from "./org-options.js";
import type { TokenLifetimes } from "./records.js";
import type { EmulatorClient, EmulatorLimits, EmulatorOptions, EmulatorUser } from "./types.js";

const DEFAULT_LIMITS: EmulatorLimits = { records: 200, pendingCodes: 1000, tokens: 10_000 };

export interface ResolvedOptions {
  clients: EmulatorClient[];
  users: EmulatorUser[];
  clock: Clock;
  lifetimes: TokenLifetimes;
  webBaseUrl: string | undefined;
  rateLimitPerHour: number;
  limits: EmulatorLimits;
  orgData: OrgData;
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  // Private copies: an emulator never shares mutable data with its caller or another emulator.
  const clients = structuredClone(options.clients);
  const users = structuredClone(options.users ?? DEMO_USERS);
  checkClients(clients);
  checkUsers(users);
  return {
    clients,
    users,
    clock: options.clock ?? systemClock,
    lifetimes: {
      accessTokenTtlSeconds: positive(options.accessTokenTtlSeconds ?? 28_800, "accessTokenTtlSeconds"),
      refreshTokenTtlSeconds: positive(options.refreshTokenTtlSeconds ?? 15_897_600, "refreshTokenTtlSeconds"),
      codeTtlSeconds: positive(options.codeTtlSeconds ?? 600, "codeTtlSeconds"),
    },
    webBaseUrl: options.webBaseUrl,
    rateLimitPerHour: positive(options.rateLimitPerHour ?? 5000, "rateLimitPerHour"),
    limits: {
      records: count(options.limits?.records ?? DEFAULT_LIMITS.records, "limits.records"),
      pendingCodes: count(options.limits?.pendingCodes ?? DEFAULT_LIMITS.pendingCodes, "limits.pendingCodes"),
      tokens: count(options.limits?.tokens ?? DEFAULT_LIMITS.tokens, "limits.tokens"),
    },
    orgData: resolveOrgData(options, users),
  };
}

function checkClients(clients: EmulatorClient[]): void {
  const ids = new Set<string>();
  for (const client of clients) {
    if (ids.has(client.clientId)) throw new Error(`emulator: client_id ${client.clientId} is registered twice`);
    ids.add(client.clientId);
    const count = client.callbackUrls.length;
    // GitHub: an OAuth App has exactly one callback URL, a GitHub App between 1 and 10.
    if (client.type === "oauth-app" && count !== 1)
      throw new Error(`emulator: OAuth App ${client.clientId} needs exactly one callback URL`);
    if (client.type === "github-app" && (count < 1 || count > 10)) {
      throw new Error(`emulator: GitHub App ${client.clientId} needs 1 to 10 callback URLs`);
    }
    for (const callback of client.callbackUrls) {
      if (!URL.canParse(callback.url)) throw new Error(`emulator: callback URL ${callback.url} is not an absolute URL`);
    }
  }
}

function checkUsers(users: EmulatorUser[]): void {
  if (users.length === 0) throw new Error("emulator: at least one user is needed for the consent page");
  const ids = new Set(users.map((user) => user.id));
  const logins = new Set(users.map((user) => user.login.toLowerCase()));
  if (ids.size !== users.length || logins.size !== users.length) throw new Error("emulator: user ids and logins must be unique");
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`emulator: ${name} must be a positive number`);
  return value;
}

function count(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`emulator: ${name} must be a whole number of at least 1`);
  return value;
}
