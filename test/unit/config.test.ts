import { loadConfig, type ConfigResult } from "../../src/config/load-config.js";
import type { Config } from "../../src/config/config.js";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EMULATOR_MOUNT_PATH } from "../../src/config/demo-mode.js";
import { serverCookies } from "../../src/http/cookies.js";
import { MAX_RULE_ENTRIES, parseAccessRules } from "../../src/config/access-rules.js";

const KEY = Buffer.alloc(32, 7).toString("base64");
const SECRET = "s".repeat(40);
const PRODUCTION = {
  NODE_ENV: "production",
  PUBLIC_URL: "https://login.example.com",
  GITHUB_CLIENT_ID: "Iv23liabc",
  GITHUB_CLIENT_SECRET: "secret",
  REDIS_URL: "redis://redis:6379",
  SESSION_SECRET: SECRET,
  TOKEN_ENCRYPTION_KEY: KEY,
  TRUST_PROXY: "1",
};

function ok(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected a valid configuration, got: ${result.errors.join("; ")}`);
  return result.config;
}

function errors(result: ConfigResult): string[] {
  if (result.ok) throw new Error("expected configuration errors");
  return result.errors;
}

describe("configuration", () => {
  test("nothing configured → demo mode with SPEC defaults", () => {
    const config = ok(loadConfig({}));
    expect(config.demoMode).toBe(true);
    expect(config.port).toBe(3000);
    // Demo mode listens on this machine only: anyone who reaches it can sign in as a demo user.
    expect(config.host).toBe("127.0.0.1");
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.callbackUrl).toBe("http://localhost:3000/auth/github/callback");
    expect(config.github.baseUrl).toBe("http://localhost:3000/_emulator");
    expect(config.github.serverBaseUrl).toBe("http://127.0.0.1:3000/_emulator");
    expect(config.github.scopes).toEqual(["read:user", "user:email"]);
    expect(config.github.clientType).toBe("auto");
    expect(config.github.timeoutMs).toBe(10_000);
    expect(config.github.proxyMethods).toEqual(["GET", "HEAD"]);
    expect(config.redis).toEqual({
      url: null,
      clusterNodes: [],
      sentinels: [],
      sentinelName: "mymaster",
      username: null,
      password: null,
      sentinelPassword: null,
      keyPrefix: "gls:",
    });
    expect(config.session.idleTimeoutMs).toBe(24 * 3600_000);
    expect(config.session.maxAgeMs).toBe(30 * 86_400_000);
    expect(serverCookies(config.session.secureCookies).session.name).toBe("gls.sid");
    expect(config.session.secureCookies).toBe(false);
    expect(config.profileMaxAgeMs).toBe(300_000);
    expect(config.trustProxy).toBe(false);
    expect(config.logLevel).toBe("info");
    expect(config.tokenEncryptionKeys[0]).toHaveLength(32);
    expect(config.warnings.join("\n")).toMatch(/Demo mode/);
  });

  test("demo mode signs in with the demo client at the emulator's mount path, and says so among its warnings", () => {
    const config = ok(loadConfig({}));
    expect(config.github).toMatchObject({ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET });
    expect(config.github.baseUrl).toBe(`http://localhost:3000${EMULATOR_MOUNT_PATH}`);
    expect(config.warnings).toEqual([
      `Demo mode: sign-in goes to the built-in GitHub emulator at ${EMULATOR_MOUNT_PATH}. Never use it for real users.`,
      "Demo mode: sessions live in this process's memory and vanish on restart.",
      "SESSION_SECRET is not set: using a random one, so sessions end when the process restarts.",
      "TOKEN_ENCRYPTION_KEY is not set: using a random one, so stored tokens cannot be opened after a restart.",
      expect.stringMatching(/^Demo mode: OpenID Connect provider with one public client, client_id "demo-client"/),
    ]);
  });

  test("every cross-variable problem of one set-up is told in one list, in the order of the checks", () => {
    const problems = errors(
      loadConfig({
        NODE_ENV: "production",
        PUBLIC_URL: "http://login.example.com/x",
        GITHUB_CLIENT_ID: "Iv23liabc",
        REDIS_URL: "redis://redis:6379",
        REDIS_CLUSTER_NODES: "redis-1:7000",
        REDIS_SENTINEL_NAME: "sessions",
        REDIS_SENTINEL_PASSWORD: "sentinel-password",
        REDIS_USERNAME: "gls",
        SESSION_SECRET: "short",
        TOKEN_ENCRYPTION_KEY: "not-a-key",
      }),
    );
    expect(problems).toEqual([
      'PUBLIC_URL: must be an origin without a path, query or fragment (got "http://login.example.com/x")',
      "GITHUB_CLIENT_SECRET: required when NODE_ENV=production",
      "PUBLIC_URL: must be https:// in production (http:// is accepted only for loopback: localhost, *.localhost, 127.0.0.0/8 and [::1])",
      "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: set both (or neither, for demo mode)",
      "REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not several",
      "REDIS_SENTINEL_NAME: set REDIS_SENTINELS too",
      "REDIS_SENTINEL_PASSWORD: set REDIS_SENTINELS too",
      "REDIS_USERNAME / REDIS_PASSWORD: with REDIS_URL, put the credentials in the URL (redis://user:password@host:6379)",
      "REDIS_USERNAME: set REDIS_PASSWORD too",
      "SESSION_SECRET: 1 of the secrets is shorter than 32 characters (refused in production)",
      "TOKEN_ENCRYPTION_KEY: key #1 must be 32 bytes in base64 (44 characters); generate one with: openssl rand -base64 32",
    ]);
  });

  test("GitHub addresses without credentials are refused: the server would run the emulator instead", () => {
    expect(errors(loadConfig({ GITHUB_BASE_URL: "https://ghe.example.com" }))).toEqual([
      "GITHUB_BASE_URL / GITHUB_API_URL: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET too (without them the server runs the demo emulator)",
    ]);
  });

  test("empty variables count as unset", () => {
    const config = ok(loadConfig({ PORT: "", GITHUB_CLIENT_ID: "", GITHUB_CLIENT_SECRET: "" }));
    expect(config.port).toBe(3000);
    expect(config.demoMode).toBe(true);
  });

  test("a complete production configuration", () => {
    const config = ok(loadConfig(PRODUCTION));
    expect(config.production).toBe(true);
    expect(config.demoMode).toBe(false);
    expect(config.github.baseUrl).toBe("https://github.com");
    expect(config.github.apiUrl).toBe("https://api.github.com");
    expect(serverCookies(config.session.secureCookies).session.name).toBe("__Host-gls.sid");
    expect(config.session.secureCookies).toBe(true);
    expect(config.trustProxy).toBe(1);
    expect(config.tokenEncryptionKeys).toEqual([Buffer.alloc(32, 7)]);
  });

  test("HOST: every interface outside demo mode, whatever HOST says when it is set", () => {
    expect(ok(loadConfig(PRODUCTION)).host).toBe("0.0.0.0");
    expect(ok(loadConfig({ HOST: "0.0.0.0" })).host).toBe("0.0.0.0");
    expect(ok(loadConfig({ ...PRODUCTION, HOST: "10.1.2.3" })).host).toBe("10.1.2.3");
  });

  test("GitHub Enterprise Server: the API base is derived from GITHUB_BASE_URL", () => {
    const config = ok(loadConfig({ ...PRODUCTION, GITHUB_BASE_URL: "https://ghe.example.com/" }));
    expect(config.github.baseUrl).toBe("https://ghe.example.com");
    expect(config.github.apiUrl).toBe("https://ghe.example.com/api/v3");
  });

  test("durations, lists and proxy settings are parsed", () => {
    const config = ok(
      loadConfig({
        SESSION_IDLE_TIMEOUT: "90s",
        SESSION_MAX_AGE: "7d",
        PROFILE_MAX_AGE: "600",
        GITHUB_TIMEOUT: "15m",
        TRUST_PROXY: "loopback, 10.0.0.0/8",
        ALLOWED_USERS: "Octocat, monalisa",
        ALLOWED_ORGS: "GitHub",
        CORS_ORIGINS: "https://app.example.com,http://localhost:5173",
        GITHUB_PROXY_METHODS: "get,head,post",
      }),
    );
    expect(config.session.idleTimeoutMs).toBe(90_000);
    expect(config.session.maxAgeMs).toBe(7 * 86_400_000);
    expect(config.profileMaxAgeMs).toBe(600_000);
    expect(config.github.timeoutMs).toBe(900_000);
    expect(config.trustProxy).toEqual(["loopback", "10.0.0.0/8"]);
    expect(config.allowedUsers).toEqual(["octocat", "monalisa"]);
    expect(config.allowedOrgs).toEqual(["github"]);
    expect(config.corsOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(config.github.proxyMethods).toEqual(["GET", "HEAD", "POST"]);
    // ALLOWED_ORGS needs org membership, which OAuth App tokens read with read:org.
    expect(config.github.scopes).toEqual(["read:user", "user:email", "read:org"]);
  });

  test("ACCESS_MAX_STALE: 1h unless set, a duration like the others, and a bad one refused at start with the rest", () => {
    expect(ok(loadConfig({})).accessMaxStaleMs).toBe(3_600_000);
    expect(ok(loadConfig({ ACCESS_MAX_STALE: "90m" })).accessMaxStaleMs).toBe(90 * 60_000);
    expect(ok(loadConfig({ ACCESS_MAX_STALE: "600" })).accessMaxStaleMs).toBe(600_000);
    for (const bad of ["forever", "0", "-5m", "1w"]) {
      expect(
        errors(loadConfig({ ACCESS_MAX_STALE: bad, PORT: "nope" })).filter((problem) => /ACCESS_MAX_STALE|PORT/.test(problem)),
      ).toHaveLength(2);
    }
  });

  test("ALLOWED_TEAMS and ALLOWED_REPOS are read lowercase, a repository's permission defaulting to read", () => {
    const config = ok(
      loadConfig({
        ALLOWED_TEAMS: "Acme/Ops, acme/site-reliability_2",
        ALLOWED_REPOS: "Acme/Web.Site, acme/infra:admin, octo-org/api:triage",
      }),
    );
    expect(config.allowedTeams).toEqual(["acme/ops", "acme/site-reliability_2"]);
    expect(config.allowedRepos).toEqual([
      { repo: "acme/web.site", permission: "read" },
      { repo: "acme/infra", permission: "admin" },
      { repo: "octo-org/api", permission: "triage" },
    ]);
    expect(config.allowedUsers).toEqual([]);
    expect(config.allowedOrgs).toEqual([]);
  });

  test("nothing on the allow-lists: every list is empty (anyone may sign in)", () => {
    const config = ok(loadConfig({ ALLOWED_TEAMS: "", ALLOWED_REPOS: " , " }));
    expect([config.allowedUsers, config.allowedOrgs, config.allowedTeams, config.allowedRepos]).toEqual([[], [], [], []]);
  });

  test("bad allow-list entries are configuration errors, each named, told together with the other problems", () => {
    const problems = errors(
      loadConfig({
        PORT: "http",
        ALLOWED_USERS: "octocat, bad login",
        ALLOWED_ORGS: "-acme",
        ALLOWED_TEAMS: "acme/ops, acme, acme/ops/extra, acme/Bad Slug",
        ALLOWED_REPOS: "acme/web, acme, acme/web:owner, acme/web:read:admin, acme/..",
        PUBLIC_URL: "https://login.example.com/path",
      }),
    );
    const repoForm = "owner/repo or owner/repo:permission (read, triage, write, maintain, admin)";
    expect(problems).toEqual([
      'PORT: must be a port number 1-65535 (got "http")',
      'ALLOWED_USERS: "bad login" is not a GitHub login',
      'ALLOWED_ORGS: "-acme" is not an organisation name',
      'ALLOWED_TEAMS: "acme" is not org/team-slug',
      'ALLOWED_TEAMS: "acme/ops/extra" is not org/team-slug',
      'ALLOWED_TEAMS: "acme/Bad Slug" is not org/team-slug',
      `ALLOWED_REPOS: "acme" is not ${repoForm}`,
      `ALLOWED_REPOS: "acme/web:owner" is not ${repoForm}`,
      `ALLOWED_REPOS: "acme/web:read:admin" is not ${repoForm}`,
      `ALLOWED_REPOS: "acme/.." is not ${repoForm}`,
      'PUBLIC_URL: must be an origin without a path, query or fragment (got "https://login.example.com/path")',
    ]);
  });

  test(`the variables are not bounded like a per-route rule (${MAX_RULE_ENTRIES} entries): a long list of logins costs no GitHub call`, () => {
    const many = MAX_RULE_ENTRIES * 4;
    const users = Array.from({ length: many }, (_, index) => `user-${index}`).join(",");
    const teams = Array.from({ length: many }, (_, index) => `acme/team-${index}`).join(",");
    const repos = Array.from({ length: many }, (_, index) => `acme/repo-${index}`).join(",");
    const config = ok(loadConfig({ ALLOWED_USERS: users, ALLOWED_TEAMS: teams, ALLOWED_REPOS: repos }));
    expect([config.allowedUsers.length, config.allowedTeams.length, config.allowedRepos.length]).toEqual([many, many, many]);
  });

  test("a per-route rule is bounded: more entries than MAX_RULE_ENTRIES in one list is an error naming the list", () => {
    const teams = (count: number) => Array.from({ length: count }, (_, index) => `acme/team-${index}`).join(",");
    const names = { users: "users", orgs: "orgs", teams: "teams", repos: "repos" };
    expect(parseAccessRules({ teams: teams(MAX_RULE_ENTRIES) }, names, MAX_RULE_ENTRIES).ok).toBe(true);
    expect(parseAccessRules({ teams: teams(MAX_RULE_ENTRIES + 1) }, names, MAX_RULE_ENTRIES)).toEqual({
      ok: false,
      errors: [`teams: at most ${MAX_RULE_ENTRIES} entries`],
    });
  });

  test("team memberships need read:org from an OAuth App, unless a scope that covers it is asked for already", () => {
    const scopes = (env: Record<string, string>) => ok(loadConfig({ ...PRODUCTION, ...env })).github.scopes;
    expect(scopes({})).toEqual(["read:user", "user:email"]);
    expect(scopes({ ALLOWED_TEAMS: "acme/ops" })).toEqual(["read:user", "user:email", "read:org"]);
    expect(scopes({ ALLOWED_TEAMS: "acme/ops", ALLOWED_ORGS: "acme" })).toEqual(["read:user", "user:email", "read:org"]);
    expect(scopes({ ALLOWED_TEAMS: "acme/ops", GITHUB_SCOPES: "read:user admin:org" })).toEqual(["read:user", "admin:org"]);
    // Logins and repositories need no membership read: no read:org for them.
    expect(scopes({ ALLOWED_USERS: "octocat", ALLOWED_REPOS: "acme/web" })).toEqual(["read:user", "user:email"]);
  });

  test("ALLOWED_REPOS without the repo scope warns that private repositories refuse everyone, and points to a GitHub App", () => {
    const repoWarnings = (env: Record<string, string>) =>
      ok(loadConfig({ ...PRODUCTION, METRICS_TOKEN: "m".repeat(32), ...env })).warnings.filter((text) => /ALLOWED_REPOS/.test(text));
    const [warning, ...more] = repoWarnings({ ALLOWED_REPOS: "acme/web" });
    expect(more).toEqual([]);
    expect(warning).toMatch(/private repositories on the list will refuse everyone until `repo` is added to GITHUB_SCOPES/);
    expect(warning).toMatch(/read\/write access to all of the user's repositories/);
    expect(warning).toMatch(/GitHub App.*per repository.*"Metadata: read"/);
    expect(repoWarnings({ ALLOWED_REPOS: "acme/web", GITHUB_CLIENT_TYPE: "oauth-app" })).toHaveLength(1);
    // The repo scope is never added for the operator.
    expect(ok(loadConfig({ ...PRODUCTION, ALLOWED_REPOS: "acme/web" })).github.scopes).not.toContain("repo");
    expect(repoWarnings({ ALLOWED_REPOS: "acme/web", GITHUB_CLIENT_TYPE: "github-app" })).toEqual([]);
    expect(repoWarnings({ ALLOWED_REPOS: "acme/web", GITHUB_SCOPES: "read:user user:email repo" })).toEqual([]);
    expect(repoWarnings({})).toEqual([]);
  });

  test("every problem is reported at once", () => {
    const problems = errors(
      loadConfig({
        PORT: "http",
        SESSION_IDLE_TIMEOUT: "soon",
        TRUST_PROXY: "everyone",
        LOG_LEVEL: "loud",
        GITHUB_CLIENT_TYPE: "bot",
        CORS_ORIGINS: "https://ok.example.com,https://bad.example.com/path",
        REDIS_URL: "http://redis",
      }),
    );
    const text = problems.join("\n");
    for (const variable of [
      "PORT",
      "SESSION_IDLE_TIMEOUT",
      "TRUST_PROXY",
      "LOG_LEVEL",
      "GITHUB_CLIENT_TYPE",
      "CORS_ORIGINS",
      "REDIS_URL",
    ]) {
      expect(text).toContain(variable);
    }
    expect(problems).toHaveLength(7);
  });

  test("production requires its settings, refuses demo mode and names what is missing", () => {
    const text = errors(loadConfig({ NODE_ENV: "production" })).join("\n");
    for (const variable of [
      "SESSION_SECRET",
      "TOKEN_ENCRYPTION_KEY",
      "GITHUB_CLIENT_ID",
      "GITHUB_CLIENT_SECRET",
      "PUBLIC_URL",
      "REDIS_URL",
    ]) {
      expect(text).toContain(variable);
    }
    expect(text).toMatch(/demo mode .* refused/);
    // An unedited .env (nothing set) says how to get going either way.
    expect(text).toContain("fill in .env (see .env.example) for a real GitHub app, or set NODE_ENV=development to try demo mode");
  });

  test("production accepts http:// PUBLIC_URL only on loopback", () => {
    expect(errors(loadConfig({ ...PRODUCTION, PUBLIC_URL: "http://login.example.com" })).join()).toMatch(/PUBLIC_URL: must be https/);
    for (const host of ["localhost", "login.localhost", "127.0.0.1", "127.1.2.3", "[::1]"]) {
      expect([host, loadConfig({ ...PRODUCTION, PUBLIC_URL: `http://${host}:3000` }).ok]).toEqual([host, true]);
    }
    for (const host of ["localhost.example.com", "notlocalhost", "128.0.0.1", "127.0.0.1.example.com", "[::2]", "10.0.0.1"]) {
      expect([host, loadConfig({ ...PRODUCTION, PUBLIC_URL: `http://${host}:3000` }).ok]).toEqual([host, false]);
    }
  });

  test("production refuses short session secrets; development only warns", () => {
    expect(errors(loadConfig({ ...PRODUCTION, SESSION_SECRET: "short" })).join()).toMatch(/SESSION_SECRET/);
    expect(ok(loadConfig({ SESSION_SECRET: "short" })).warnings.join()).toMatch(/SESSION_SECRET/);
  });

  test("encryption keys must be 32 bytes of base64; the first one encrypts", () => {
    expect(errors(loadConfig({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") })).join()).toMatch(/TOKEN_ENCRYPTION_KEY/);
    expect(errors(loadConfig({ TOKEN_ENCRYPTION_KEY: "not base64!" })).join()).toMatch(/TOKEN_ENCRYPTION_KEY/);
    const second = Buffer.alloc(32, 9).toString("base64");
    expect(ok(loadConfig({ TOKEN_ENCRYPTION_KEY: `${second},${KEY}` })).tokenEncryptionKeys).toEqual([
      Buffer.alloc(32, 9),
      Buffer.alloc(32, 7),
    ]);
  });

  test("error messages never repeat a secret", () => {
    const text = errors(loadConfig({ ...PRODUCTION, SESSION_SECRET: "tiny-secret-value", TOKEN_ENCRYPTION_KEY: "c2hvcnQta2V5" })).join(
      "\n",
    );
    expect(text).not.toContain("tiny-secret-value");
    expect(text).not.toContain("c2hvcnQta2V5");
  });

  test("an https PUBLIC_URL without TRUST_PROXY, and sign-in without a rate limit, are warned about", () => {
    const { TRUST_PROXY: _trustProxy, ...untrusting } = PRODUCTION;
    expect(ok(loadConfig({ ...untrusting, METRICS_TOKEN: "m".repeat(32), AUTH_RATE_LIMIT: "off" })).warnings).toEqual([
      "AUTH_RATE_LIMIT=off: sign-in routes are not rate limited.",
      "PUBLIC_URL is https but TRUST_PROXY is false: behind a TLS-terminating proxy, set TRUST_PROXY or no session cookie will be set.",
    ]);
    expect(ok(loadConfig({ ...PRODUCTION, METRICS_TOKEN: "m".repeat(32) })).warnings).toEqual([]);
  });

  test("client id without secret is refused", () => {
    expect(errors(loadConfig({ GITHUB_CLIENT_ID: "abc" })).join()).toMatch(/GITHUB_CLIENT_SECRET/);
  });

  test("PUBLIC_URL must be a bare origin", () => {
    expect(errors(loadConfig({ PUBLIC_URL: "https://example.com/login" })).join()).toMatch(/PUBLIC_URL/);
    expect(errors(loadConfig({ PUBLIC_URL: "ftp://example.com" })).join()).toMatch(/PUBLIC_URL/);
  });
});

// SPEC §2: TRUST_PROXY=true trusts every sender, so any client writes its own address into the
// leftmost X-Forwarded-For entry, the one Express takes: in production that is a configuration
// error, told with the others and naming the fix. Outside production it stays a local shortcut.
describe("TRUST_PROXY that trusts every sender", () => {
  const trustProblem = (result: ConfigResult) => (result.ok ? [] : result.errors.filter((problem) => problem.startsWith("TRUST_PROXY")));

  test("is refused in production, in any spelling, and as a /0 subnet, naming a hop count and the proxies' addresses as the fix", () => {
    for (const spelling of ["true", "TRUE", " True ", "0.0.0.0/0", "::/0", "loopback, 0.0.0.0/0"]) {
      const problems = trustProblem(loadConfig({ ...PRODUCTION, TRUST_PROXY: spelling }));
      expect([spelling, problems]).toEqual([
        spelling,
        [expect.stringMatching(/^TRUST_PROXY: trusts every sender .*refused when NODE_ENV=production/)],
      ]);
      expect(problems[0]).toMatch(/leftmost X-Forwarded-For entry, which the client writes itself/);
      expect(problems[0]).toMatch(/TRUST_PROXY=1\b.*TRUST_PROXY=loopback.*TRUST_PROXY=10\.0\.0\.0\/8/);
    }
  });

  test("is listed with the other problems of the configuration, all at once", () => {
    const problems = errors(loadConfig({ ...PRODUCTION, TRUST_PROXY: "true", SESSION_SECRET: "", PORT: "nope" }));
    expect(problems.some((problem) => problem.startsWith("TRUST_PROXY: trusts every sender"))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("SESSION_SECRET"))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("PORT"))).toBe(true);
  });

  test("a hop count, addresses and subnets are accepted in production, with no warning about them", () => {
    for (const safe of ["1", "2", "loopback", "10.0.0.0/8", "loopback, 10.0.0.0/8", "::1/128"]) {
      const config = ok(loadConfig({ ...PRODUCTION, TRUST_PROXY: safe, METRICS_TOKEN: "m".repeat(32) }));
      expect([safe, config.warnings]).toEqual([safe, []]);
    }
  });

  test("outside production it is accepted without a word: a local shortcut", () => {
    expect(ok(loadConfig({ TRUST_PROXY: "true" })).trustProxy).toBe(true);
    expect(ok(loadConfig({ TRUST_PROXY: "true" })).warnings.join("\n")).not.toMatch(/TRUST_PROXY/);
  });
});

// Where the REST API is for each kind of GitHub (SPEC §2): derived from GITHUB_BASE_URL unless
// GITHUB_API_URL says otherwise.
function apiUrlFor(settings: Record<string, string>): string {
  const result = loadConfig({ ...PRODUCTION, ...settings });
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.config.github.apiUrl;
}

describe("the GitHub API address", () => {
  test("github.com: api.github.com", () => {
    expect(apiUrlFor({})).toBe("https://api.github.com");
    expect(apiUrlFor({ GITHUB_BASE_URL: "https://github.com/" })).toBe("https://api.github.com");
  });

  test("GitHub Enterprise Cloud with data residency: the api. subdomain of the ghe.com host", () => {
    expect(apiUrlFor({ GITHUB_BASE_URL: "https://octocorp.ghe.com" })).toBe("https://api.octocorp.ghe.com");
    expect(apiUrlFor({ GITHUB_BASE_URL: "https://OctoCorp.GHE.com/" })).toBe("https://api.octocorp.ghe.com");
  });

  test("GitHub Enterprise Server: /api/v3 on its own host, also for a host merely containing ghe.com", () => {
    expect(apiUrlFor({ GITHUB_BASE_URL: "https://ghe.example.com" })).toBe("https://ghe.example.com/api/v3");
    expect(apiUrlFor({ GITHUB_BASE_URL: "https://ghe.com.example.net" })).toBe("https://ghe.com.example.net/api/v3");
  });

  test("GITHUB_API_URL wins over the derived address", () => {
    expect(apiUrlFor({ GITHUB_BASE_URL: "https://octocorp.ghe.com", GITHUB_API_URL: "https://api.example.net/" })).toBe(
      "https://api.example.net",
    );
  });
});
