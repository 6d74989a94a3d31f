// OIDC_CLIENTS and OIDC_SIGNING_KEYS (SPEC §9): the applications this server is an OpenID Connect
// provider for, and the keys its ID tokens are signed with. Both are JSON, given inline or as
// `@/path/to/file.json`. Every problem of every entry is told at start with the rest (§2): an
// entry is refused whole rather than read in part, and an unknown field is a problem too, since a
// misspelt `team` read as "no rule" would open a client to everyone. A client's users/orgs/teams/
// repos are read by the parser of the allow-lists and per-route rules, so they mean the same here.
// Demo mode (and development without keys) generates a key per process (oidc-signing-keys.ts); demo
// mode also configures one public client, so the flow can be tried with nothing set up.
import { readFileSync } from "node:fs";
import { MAX_RULE_ENTRIES, parseAccessRules, type AccessRules } from "./access-rules.js";
import type { ConfigProblems } from "./problems.js";
import type { ParsedEnvironment } from "./schema.js";
import { generatedKey, readSigningKeys, type SigningKey } from "./oidc-signing-keys.js";

export type { SigningKey } from "./oidc-signing-keys.js";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const GRANT_TYPES = ["authorization_code", "refresh_token", DEVICE_CODE_GRANT] as const;
export type OidcGrantType = (typeof GRANT_TYPES)[number];
const SECRET_AUTH_METHODS = ["client_secret_basic", "client_secret_post"] as const;

export interface OidcClient {
  clientId: string;
  /** null: a public client, which must use PKCE (S256). */
  clientSecret: string | null;
  tokenEndpointAuthMethod: "none" | (typeof SECRET_AUTH_METHODS)[number];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: OidcGrantType[];
  /** Who may use the client, on top of the server's lists, as a per-route rule narrows them (§7). */
  rules: AccessRules;
  /** Orgs and teams reported in `groups` beyond those `rules` names (only `orgs` and `teams` are used). */
  groups: AccessRules;
}

export interface OidcConfig {
  clients: OidcClient[];
  /** The first signs; every one is published (rotation). */
  signingKeys: SigningKey[];
}

/** The client demo mode configures, named in the start-up warnings and docs/getting-started.md. */
export const DEMO_OIDC_CLIENT_ID = "demo-client";
/** Loopback without a port: any port is accepted (RFC 8252), as `kubectl oidc-login` and CLIs use. */
export const DEMO_OIDC_REDIRECT_URIS = ["http://127.0.0.1/callback", "http://localhost/callback", "http://localhost"];

const CLIENT_FIELDS = new Set([
  "client_id",
  "client_secret",
  "token_endpoint_auth_method",
  "redirect_uris",
  "post_logout_redirect_uris",
  "grant_types",
  "users",
  "orgs",
  "teams",
  "repos",
  "groups",
]);
const MIN_CLIENT_SECRET_LENGTH = 16;
/** RFC 8252 §7.3: loopback redirects over http, by IP literal or `localhost`. */
export const LOOPBACK_HOSTNAMES = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** null when the provider is off: OIDC_CLIENTS unset outside demo mode. */
export function readOidcConfig(
  env: ParsedEnvironment,
  modes: { demoMode: boolean; production: boolean },
  problems: ConfigProblems,
): OidcConfig | null {
  const { errors, warnings } = problems;
  const clientsJson = env.OIDC_CLIENTS === undefined ? undefined : readJson("OIDC_CLIENTS", env.OIDC_CLIENTS, errors);
  const keysJson = env.OIDC_SIGNING_KEYS === undefined ? undefined : readJson("OIDC_SIGNING_KEYS", env.OIDC_SIGNING_KEYS, errors);
  if (env.OIDC_CLIENTS === undefined && !modes.demoMode) {
    if (env.OIDC_SIGNING_KEYS !== undefined)
      warnings.push("OIDC_SIGNING_KEYS is set but OIDC_CLIENTS is not: the OpenID Connect provider is off.");
    return null;
  }
  const clients = clientsJson === undefined ? (env.OIDC_CLIENTS === undefined ? [demoClient()] : []) : readClients(clientsJson, errors);
  if (env.OIDC_CLIENTS === undefined) {
    warnings.push(
      `Demo mode: OpenID Connect provider with one public client, client_id "${DEMO_OIDC_CLIENT_ID}" (PKCE S256, refresh tokens, device flow), ` +
        `redirect URIs ${DEMO_OIDC_REDIRECT_URIS.join(", ")} (any port); discovery at /.well-known/openid-configuration; ID tokens signed with a key made for this process.`,
    );
  }
  let signingKeys = keysJson === undefined ? [] : readSigningKeys(keysJson, errors);
  if (env.OIDC_SIGNING_KEYS === undefined) {
    // Demo mode is refused in production by itself: its generated key is not a second problem to tell.
    if (modes.production && !modes.demoMode)
      errors.push("OIDC_SIGNING_KEYS: required in production when OIDC_CLIENTS is set (private RS256 or ES256 JWKs, each with a kid)");
    else if (!modes.demoMode || env.OIDC_CLIENTS !== undefined)
      warnings.push(
        "OIDC_SIGNING_KEYS is not set: ID tokens are signed with a key made for this process, so they stop verifying when it restarts.",
      );
    signingKeys = [generatedKey()];
  }
  return { clients, signingKeys };
}

/** Inline JSON, or `@/path` to a file holding it; undefined (with the problem told) when neither reads. */
function readJson(name: string, value: string, errors: string[]): unknown {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8");
    } catch (error) {
      errors.push(`${name}: cannot read ${value.slice(1)} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
      return undefined;
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    // The text is not repeated: OIDC_SIGNING_KEYS holds private keys, OIDC_CLIENTS secrets.
    errors.push(`${name}: not valid JSON (a JSON array, or @/path/to/file.json)`);
    return undefined;
  }
}

// --- Clients ---------------------------------------------------------------------------------------

function readClients(json: unknown, errors: string[]): OidcClient[] {
  if (!Array.isArray(json) || json.length === 0) {
    errors.push("OIDC_CLIENTS: must be a non-empty JSON array of clients");
    return [];
  }
  const clients = json.flatMap((entry, index) => {
    const client = readClient(entry, `OIDC_CLIENTS[${index}]`, errors);
    return client ? [client] : [];
  });
  const seen = new Set<string>();
  for (const { clientId } of clients) {
    if (seen.has(clientId)) errors.push(`OIDC_CLIENTS: client_id "${clientId}" is listed more than once`);
    seen.add(clientId);
  }
  return clients;
}

function readClient(entry: unknown, where: string, errors: string[]): OidcClient | null {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    errors.push(`${where}: must be a JSON object`);
    return null;
  }
  const fields = entry as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(fields))
    if (!CLIENT_FIELDS.has(key)) problems.push(`unknown field "${key}" (known: ${[...CLIENT_FIELDS].join(", ")})`);
  const clientId = fields.client_id;
  const named = typeof clientId === "string" && /^[\x21-\x7e]{1,200}$/.test(clientId);
  if (!named) problems.push("client_id must be 1-200 printable characters without spaces");
  const clientSecret = readSecret(fields.client_secret, problems);
  const grantTypes = readGrantTypes(fields.grant_types, clientSecret !== null, problems);
  const redirectUris = readUris(fields.redirect_uris, "redirect_uris", grantTypes.includes("authorization_code"), problems);
  const postLogoutRedirectUris = readUris(fields.post_logout_redirect_uris, "post_logout_redirect_uris", false, problems);
  const tokenEndpointAuthMethod = readAuthMethod(fields.token_endpoint_auth_method, clientSecret !== null, problems);
  const { rules, groups } = readClientRules(fields, problems);
  const label = named ? `${where} ("${clientId}")` : where;
  errors.push(...problems.map((problem) => `${label}: ${problem}`));
  if (problems.length > 0) return null;
  return {
    clientId: clientId as string,
    clientSecret,
    tokenEndpointAuthMethod,
    redirectUris,
    postLogoutRedirectUris,
    grantTypes,
    rules,
    groups,
  };
}

function readSecret(value: unknown, problems: string[]): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string" || !/^[\x21-\x7e]+$/.test(value) || value.length < MIN_CLIENT_SECRET_LENGTH) {
    problems.push(
      `client_secret must be at least ${MIN_CLIENT_SECRET_LENGTH} printable characters without spaces (generate one with: openssl rand -hex 32)`,
    );
  }
  return typeof value === "string" ? value : null;
}

function readGrantTypes(value: unknown, confidential: boolean, problems: string[]): OidcGrantType[] {
  if (value === undefined) return ["authorization_code", "refresh_token"];
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === "string")) {
    problems.push(`grant_types must be a non-empty array among ${GRANT_TYPES.join(", ")}`);
    return [];
  }
  for (const grant of value as string[]) {
    if (grant === "client_credentials") {
      problems.push(
        confidential
          ? "grant_types: client_credentials is not offered (every token here stands for a GitHub user who signed in)"
          : "grant_types: a public client (no client_secret) cannot use client_credentials",
      );
    } else if (grant === "implicit") problems.push("grant_types: the implicit flow is not offered (use authorization_code with PKCE)");
    else if (!(GRANT_TYPES as readonly string[]).includes(grant))
      problems.push(`grant_types: "${grant.slice(0, 80)}" is not among ${GRANT_TYPES.join(", ")}`);
  }
  return [...new Set(value as OidcGrantType[])];
}

function readUris(value: unknown, field: string, required: boolean, problems: string[]): string[] {
  if (value === undefined) {
    if (required) problems.push(`${field} must list at least one URI (the authorization_code grant needs one)`);
    return [];
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string") || (required && value.length === 0)) {
    problems.push(`${field} must be an array of absolute URIs${required ? ", at least one" : ""}`);
    return [];
  }
  for (const uri of value as string[]) {
    const problem = redirectUriProblem(uri);
    if (problem) problems.push(`${field}: "${uri.slice(0, 200)}" ${problem}`);
  }
  return value as string[];
}

/** https anywhere, or http on a loopback address (RFC 8252 §7.3); never a fragment or user info. */
export function redirectUriProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not an absolute URI";
  }
  if (url.hash !== "" || uri.includes("#")) return "must not have a fragment";
  if (url.username !== "" || url.password !== "") return "must not carry user information";
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return "must not contain spaces or control characters";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:")
    return LOOPBACK_HOSTNAMES.has(url.hostname)
      ? null
      : "must be https (http is accepted only for 127.0.0.1, [::1] and localhost, RFC 8252)";
  return "must be an https URI (or http on a loopback address)";
}

function readAuthMethod(value: unknown, confidential: boolean, problems: string[]): OidcClient["tokenEndpointAuthMethod"] {
  if (!confidential) {
    if (value !== undefined && value !== "none")
      problems.push("token_endpoint_auth_method: a client without client_secret is public (none)");
    return "none";
  }
  if (value === undefined) return "client_secret_basic";
  if (typeof value === "string" && (SECRET_AUTH_METHODS as readonly string[]).includes(value))
    return value as OidcClient["tokenEndpointAuthMethod"];
  problems.push(`token_endpoint_auth_method must be one of ${SECRET_AUTH_METHODS.join(", ")}`);
  return "client_secret_basic";
}

/** users/orgs/teams/repos and groups: a comma-separated string or an array of strings, as the variables allow. */
function readClientRules(fields: Record<string, unknown>, problems: string[]): { rules: AccessRules; groups: AccessRules } {
  const list = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || typeof value === "string") return value;
    if (Array.isArray(value) && value.every((item) => typeof item === "string" && !item.includes(","))) return value.join(",");
    problems.push(`${name} must be a comma-separated string or an array of strings`);
    return undefined;
  };
  const parsed = parseAccessRules(
    { users: list("users"), orgs: list("orgs"), teams: list("teams"), repos: list("repos") },
    { users: "users", orgs: "orgs", teams: "teams", repos: "repos" },
  );
  const groupEntries = (list("groups") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const groupLists = {
    orgs: groupEntries.filter((entry) => !entry.includes("/")).join(","),
    teams: groupEntries.filter((entry) => entry.includes("/")).join(","),
  };
  const groups = parseAccessRules(groupLists, { users: "groups", orgs: "groups", teams: "groups", repos: "groups" });
  if (!parsed.ok) problems.push(...parsed.errors);
  if (!groups.ok)
    problems.push(
      ...groups.errors.map((problem) =>
        problem.replace(/is not (an organisation name|org\/team-slug)$/, "is not an organisation or org/team-slug"),
      ),
    );
  const rules = parsed.ok ? parsed.rules : { users: [], orgs: [], teams: [], repos: [] };
  const groupRules = groups.ok ? groups.rules : { users: [], orgs: [], teams: [], repos: [] };
  // Each entry may cost a GitHub call when a sign-in or refresh learns it: bounded like a per-route rule (§7).
  const entries =
    rules.users.length + rules.orgs.length + rules.teams.length + rules.repos.length + groupRules.orgs.length + groupRules.teams.length;
  if (entries > MAX_RULE_ENTRIES)
    problems.push(`users, orgs, teams, repos and groups name ${entries} entries together; at most ${MAX_RULE_ENTRIES}`);
  return { rules, groups: groupRules };
}

function demoClient(): OidcClient {
  const none: AccessRules = { users: [], orgs: [], teams: [], repos: [] };
  return {
    clientId: DEMO_OIDC_CLIENT_ID,
    clientSecret: null,
    tokenEndpointAuthMethod: "none",
    redirectUris: DEMO_OIDC_REDIRECT_URIS,
    postLogoutRedirectUris: DEMO_OIDC_REDIRECT_URIS,
    grantTypes: ["authorization_code", "refresh_token", DEVICE_CODE_GRANT],
    rules: none,
    groups: none,
  };
}
