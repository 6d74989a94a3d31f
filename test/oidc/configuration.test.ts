// OIDC_CLIENTS and OIDC_SIGNING_KEYS (SPEC §2, §9): JSON inline or from @/path, every problem of
// every entry reported at start with the rest, never a client read in part; demo mode's generated
// key and client; production's requirements.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import { DEMO_OIDC_CLIENT_ID } from "../../src/config/oidc-config.js";
import { signingKey } from "../support/oidc-stack.js";

const BASE = { GITHUB_CLIENT_ID: "Iv1.x", GITHUB_CLIENT_SECRET: "secret", LOG_LEVEL: "silent" };
const KEY = signingKey("k1", "ES256");
const CLIENT = { client_id: "app", client_secret: "0123456789abcdef0123", redirect_uris: ["https://app.example.com/cb"] };

function problemsOf(env: Record<string, string>): string[] {
  const result = loadConfig({ ...BASE, ...env });
  return result.ok ? [] : result.errors;
}

const withClients = (clients: unknown, keys: unknown = [KEY]) =>
  problemsOf({ OIDC_CLIENTS: typeof clients === "string" ? clients : JSON.stringify(clients), OIDC_SIGNING_KEYS: JSON.stringify(keys) });

test("a valid configuration reads into clients, rules and keys", () => {
  const result = loadConfig({
    ...BASE,
    OIDC_CLIENTS: JSON.stringify([
      { ...CLIENT, teams: "Acme/Ops", orgs: ["acme"], repos: "acme/app:write", groups: ["acme", "acme/devs"] },
      {
        client_id: "cli",
        redirect_uris: ["http://127.0.0.1/cb", "http://[::1]/cb"],
        grant_types: ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"],
      },
    ]),
    OIDC_SIGNING_KEYS: JSON.stringify([KEY, signingKey("k2", "RS256")]),
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const oidc = result.config.oidc!;
  expect(oidc.clients[0]).toMatchObject({
    clientId: "app",
    tokenEndpointAuthMethod: "client_secret_basic",
    rules: { teams: ["acme/ops"], orgs: ["acme"], repos: [{ repo: "acme/app", permission: "write" }] },
    groups: { orgs: ["acme"], teams: ["acme/devs"] },
  });
  expect(oidc.clients[1]).toMatchObject({ clientId: "cli", clientSecret: null, tokenEndpointAuthMethod: "none" });
  expect(oidc.signingKeys.map(({ kid, alg }) => `${kid}:${alg}`)).toEqual(["k1:ES256", "k2:RS256"]);
});

test("every problem of every client is told at once, with where it is", () => {
  const problems = withClients([
    { client_secret: "0123456789abcdef0123", redirect_uris: ["https://a.example/cb"] },
    { ...CLIENT },
    { ...CLIENT },
    {
      client_id: "plain",
      redirect_uris: [
        "http://app.example.com/cb",
        "https://x.example/cb#frag",
        "https://user@x.example/cb",
        "ftp://x.example/",
        "not a uri",
      ],
    },
    { client_id: "public", redirect_uris: ["http://localhost/cb"], grant_types: ["client_credentials"] },
    {
      client_id: "implicit",
      client_secret: "0123456789abcdef0123",
      redirect_uris: ["https://x.example/cb"],
      grant_types: ["implicit", "password"],
    },
    { client_id: "typo", redirect_uris: ["https://x.example/cb"], team: "acme/ops" },
    { client_id: "rules", redirect_uris: ["https://x.example/cb"], teams: "acme", orgs: "-bad-", repos: "acme/app:owner", users: ["a,b"] },
    { client_id: "weak", client_secret: "short", redirect_uris: ["https://x.example/cb"] },
    { client_id: "nouris" },
    {
      client_id: "many",
      redirect_uris: ["https://x.example/cb"],
      orgs: Array.from({ length: 10 }, (_, index) => `org${index}`),
      groups: Array.from({ length: 7 }, (_, index) => `g${index}`),
    },
    "not an object",
  ]);
  const told = (pattern: RegExp) => expect(problems.filter((problem) => pattern.test(problem))).not.toEqual([]);
  told(/^OIDC_CLIENTS\[0\]: client_id must be/);
  told(/client_id "app" is listed more than once/);
  told(/OIDC_CLIENTS\[3\] \("plain"\): redirect_uris: "http:\/\/app\.example\.com\/cb" must be https/);
  told(/"plain"\): redirect_uris: "https:\/\/x\.example\/cb#frag" must not have a fragment/);
  told(/"plain"\): redirect_uris: "https:\/\/user@x\.example\/cb" must not carry user information/);
  told(/"plain"\): redirect_uris: "ftp:\/\/x\.example\/" must be an https URI/);
  told(/"plain"\): redirect_uris: "not a uri" is not an absolute URI/);
  told(/"public"\): grant_types: a public client \(no client_secret\) cannot use client_credentials/);
  told(/"implicit"\): grant_types: the implicit flow is not offered/);
  told(/"implicit"\): grant_types: "password" is not among/);
  told(/"typo"\): unknown field "team"/);
  told(/"rules"\): teams: "acme" is not org\/team-slug/);
  told(/"rules"\): orgs: "-bad-" is not an organisation name/);
  told(/"rules"\): repos: "acme\/app:owner" is not owner\/repo/);
  told(/"rules"\): users must be a comma-separated string or an array of strings/);
  told(/"weak"\): client_secret must be at least 16/);
  told(/"nouris"\): redirect_uris must list at least one URI/);
  told(/"many"\): .* name 17 entries together; at most 16/);
  told(/OIDC_CLIENTS\[11\]: must be a JSON object/);
  // A secret is never repeated in a problem.
  expect(problems.join("\n")).not.toContain("0123456789abcdef0123");
});

test("malformed JSON, an empty list, and an unreadable @/path are each one clear problem", () => {
  expect(withClients("[{")).toEqual(["OIDC_CLIENTS: not valid JSON (a JSON array, or @/path/to/file.json)"]);
  expect(withClients([])).toEqual(["OIDC_CLIENTS: must be a non-empty JSON array of clients"]);
  expect(problemsOf({ OIDC_CLIENTS: "@/nonexistent/clients.json", OIDC_SIGNING_KEYS: JSON.stringify([KEY]) })).toEqual([
    "OIDC_CLIENTS: cannot read /nonexistent/clients.json (ENOENT)",
  ]);
});

test("@/path reads the file, for clients and keys alike", () => {
  const directory = mkdtempSync(join(tmpdir(), "gls-oidc-"));
  writeFileSync(join(directory, "clients.json"), JSON.stringify([CLIENT]));
  writeFileSync(join(directory, "keys.json"), JSON.stringify({ keys: [KEY] }));
  const result = loadConfig({
    ...BASE,
    OIDC_CLIENTS: `@${join(directory, "clients.json")}`,
    OIDC_SIGNING_KEYS: `@${join(directory, "keys.json")}`,
  });
  expect(result.ok && result.config.oidc?.clients.map((client) => client.clientId)).toEqual(["app"]);
});

test("keys must be private RS256 (2048 bits or more) or ES256 JWKs, each with its own kid; their text is never repeated", () => {
  const { publicKey, privateKey: small } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "jwk" });
  const problems = withClients(
    [CLIENT],
    [
      { ...KEY, kid: undefined },
      KEY,
      { ...KEY },
      { ...publicKey.export({ format: "jwk" }), kid: "public" },
      { ...small.export({ format: "jwk" }), kid: "small" },
      { ...p384, kid: "p384" },
      { ...KEY, kid: "wrong-alg", alg: "RS256" },
      { ...KEY, kid: "enc", use: "enc" },
      { kty: "oct", k: "c2VjcmV0", kid: "hmac" },
      { ...KEY, kid: "broken", d: "AAAA" },
      { ...KEY, kid: "swapped", d: signingKey("other", "ES256").d },
    ],
  );
  expect(problems).toEqual([
    "OIDC_SIGNING_KEYS[0]: needs a kid (1-128 printable characters), which ID tokens name",
    'OIDC_SIGNING_KEYS[3] (kid "public"): must be a private key (it has no d)',
    'OIDC_SIGNING_KEYS[4] (kid "small"): RSA keys must have at least 2048 bits',
    'OIDC_SIGNING_KEYS[5] (kid "p384"): must be an RSA key (RS256) or an EC P-256 key (ES256)',
    'OIDC_SIGNING_KEYS[6] (kid "wrong-alg"): alg must be ES256 for this key type',
    'OIDC_SIGNING_KEYS[7] (kid "enc"): use must be "sig"',
    'OIDC_SIGNING_KEYS[8] (kid "hmac"): must be an RSA key (RS256) or an EC P-256 key (ES256)',
    'OIDC_SIGNING_KEYS[9] (kid "broken"): is not a valid private JWK (its private part does not match its public one)',
    'OIDC_SIGNING_KEYS[10] (kid "swapped"): is not a valid private JWK (its private part does not match its public one)',
    'OIDC_SIGNING_KEYS: kid "k1" is used by more than one key',
  ]);
  expect(problems.join("\n")).not.toContain(String(KEY.d));
});

test("production requires OIDC_SIGNING_KEYS with OIDC_CLIENTS; development makes one per process, and says so", () => {
  const production = loadConfig({ ...BASE, NODE_ENV: "production", OIDC_CLIENTS: JSON.stringify([CLIENT]) });
  expect(production.ok ? [] : production.errors).toContainEqual(expect.stringMatching(/^OIDC_SIGNING_KEYS: required in production/));
  const development = loadConfig({ ...BASE, OIDC_CLIENTS: JSON.stringify([CLIENT]) });
  expect(development.ok && development.config.oidc?.signingKeys[0]?.alg).toBe("RS256");
  expect(development.ok && development.config.warnings).toContainEqual(expect.stringMatching(/^OIDC_SIGNING_KEYS is not set/));
});

test("without OIDC_CLIENTS the provider is off, except in demo mode, which has its demo client", () => {
  const off = loadConfig(BASE);
  expect(off.ok && off.config.oidc).toBeNull();
  const demo = loadConfig({ LOG_LEVEL: "silent" });
  expect(demo.ok && demo.config.oidc?.clients.map((client) => `${client.clientId}:${client.tokenEndpointAuthMethod}`)).toEqual([
    `${DEMO_OIDC_CLIENT_ID}:none`,
  ]);
  expect(demo.ok && demo.config.warnings.join("\n")).toMatch(/client_id "demo-client".*http:\/\/127\.0\.0\.1\/callback/);
});
