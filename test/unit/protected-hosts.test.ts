// PROTECTED_HOSTS (SPEC §2/§6) and the host table built from it: exact hosts with an optional port
// and one-label wildcards; never a bare parent domain; bad entries are configuration errors, all
// told at once; and a Host header matches only in the canonical form a browser keeps cookies under.
import { createHostTable } from "../../src/config/host-table.js";
import { loadConfig } from "../../src/config/load-config.js";

const KEY = Buffer.alloc(32, 7).toString("base64");
const PRODUCTION = {
  NODE_ENV: "production",
  GITHUB_CLIENT_ID: "Iv23liabc",
  GITHUB_CLIENT_SECRET: "secret",
  REDIS_URL: "redis://redis:6379",
  SESSION_SECRET: "s".repeat(40),
  TOKEN_ENCRYPTION_KEY: KEY,
};

const load = (PROTECTED_HOSTS: string, PUBLIC_URL = "https://login.example.com", extra: Record<string, string> = {}) =>
  loadConfig({ ...PRODUCTION, PUBLIC_URL, PROTECTED_HOSTS, ...extra });

test("exact hosts, ports and one-label wildcards are read, lowercased, with the scheme's port when none is named", () => {
  const result = load("App.Example.com, grafana.example.com:8443 ,*.tools.example.com,127.0.0.2,[::1]:9000");
  if (!result.ok) throw new Error(result.errors.join("; "));
  expect(result.config.protectedHosts).toEqual([
    { entry: "app.example.com", hostname: "app.example.com", wildcard: false, port: 443 },
    { entry: "grafana.example.com:8443", hostname: "grafana.example.com", wildcard: false, port: 8443 },
    { entry: "*.tools.example.com", hostname: "tools.example.com", wildcard: true, port: 443 },
    { entry: "127.0.0.2", hostname: "127.0.0.2", wildcard: false, port: 443 },
    { entry: "[::1]:9000", hostname: "[::1]", wildcard: false, port: 9000 },
  ]);
});

test.each([
  ["https://app.example.com", "without a scheme"],
  ["app.example.com/path", "without a scheme, path or user"],
  ["user@app.example.com", "without a scheme, path or user"],
  ["*", "not a valid host name"],
  ["*.com", "wildcard over a top-level domain"],
  ["*.*.example.com", "not a valid host name"],
  ["a.*.example.com", "not a valid host name"],
  ["app.example.com.", "ends with a dot"],
  ["bücher.example", "punycode (xn--bcher-kva.example)"],
  ["app.example.com:0", "port outside 1-65535"],
  ["app.example.com:65536", "port outside 1-65535"],
  ["*.10.0.0.1", "wildcard over an IP address"],
  ["300.1.1.1", "not a valid IPv4 address"],
  ["-app.example.com", "not a valid host name"],
  ["login.example.com", "PUBLIC_URL's own host"],
  ["login.example.com:443", "PUBLIC_URL's own host"],
])("%s is a configuration error (%s)", (entry, message) => {
  const result = load(`ok.example.com,${entry}`);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toContain(`PROTECTED_HOSTS: "${entry}"`);
  expect(result.errors[0]).toContain(message);
});

test("every bad entry is told at once", () => {
  const result = load("*.com,app.example.com.,ok.example.com,x/y");
  expect(result.ok ? [] : result.errors.filter((error) => error.startsWith("PROTECTED_HOSTS"))).toHaveLength(3);
});

test("with an http: PUBLIC_URL in production, only loopback hosts may be protected", () => {
  expect(load("127.0.0.2:3001,app.localhost,*.dev.localhost,[::1]:3002", "http://127.0.0.1:3000").ok).toBe(true);
  const result = load("127.0.0.2:3001,app.example.com", "http://127.0.0.1:3000");
  expect(result.ok ? [] : result.errors).toEqual([
    expect.stringContaining("PROTECTED_HOSTS: app.example.com would be served over http://"),
  ]);
  expect(loadConfig({ PUBLIC_URL: "http://app.test:3000", PROTECTED_HOSTS: "b.test" }).ok).toBe(true);
});

describe("the host table", () => {
  const result = load("app.example.com,grafana.example.com:8443,*.tools.example.com");
  if (!result.ok) throw new Error(result.errors.join("; "));
  const table = createHostTable(result.config.publicUrl, result.config.protectedHosts);

  test.each([
    ["login.example.com", "login.example.com", true],
    ["LOGIN.example.com:443", "login.example.com", true],
    ["app.example.com", "app.example.com", false],
    ["grafana.example.com:8443", "grafana.example.com:8443", false],
    ["ci.tools.example.com", "ci.tools.example.com", false],
  ])("%s is %s", (header, host, login) => {
    expect(table.lookup(header)).toEqual({ host, origin: `https://${host}`, login });
  });

  test.each([
    "app.example.com.",
    "app.example.com:8443",
    "grafana.example.com",
    "tools.example.com",
    "a.ci.tools.example.com",
    "evil.com",
    "app.example.com.evil.com",
    "app.example.com@evil.com",
    "app.example.com:",
    "app.example.com:99999",
    "",
    "app.example.com\u0000",
    "xn--pp-6la.example.com",
    "-x.tools.example.com",
  ])("%j is no host of ours", (header) => {
    expect(table.lookup(header)).toBeNull();
  });

  test("an absolute URL is on a protected host only with PUBLIC_URL's scheme", () => {
    expect(table.protectedHostOf(new URL("https://app.example.com/x"))?.host).toBe("app.example.com");
    expect(table.protectedHostOf(new URL("http://app.example.com/x"))).toBeNull();
    expect(table.protectedHostOf(new URL("https://login.example.com/x"))).toBeNull();
  });
});
