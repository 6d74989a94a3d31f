// Configuration of where Redis is (one URL, a Cluster, or Sentinels) and of METRICS_TOKEN.
import { loadConfig, type ConfigResult } from "../../src/config/load-config.js";
import type { Config } from "../../src/config/config.js";

const PRODUCTION = {
  NODE_ENV: "production",
  PUBLIC_URL: "https://login.example.com",
  GITHUB_CLIENT_ID: "Iv23liabc",
  GITHUB_CLIENT_SECRET: "secret",
  SESSION_SECRET: "s".repeat(40),
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  TRUST_PROXY: "1",
};

function ok(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected a valid configuration, got: ${result.errors.join("; ")}`);
  return result.config;
}

function errors(result: ConfigResult): string {
  if (result.ok) throw new Error("expected configuration errors");
  return result.errors.join("\n");
}

describe("Redis behind Sentinels", () => {
  test("REDIS_SENTINELS and REDIS_SENTINEL_NAME are enough for production", () => {
    const config = ok(
      loadConfig({ ...PRODUCTION, REDIS_SENTINELS: "sentinel-1:26379, sentinel-2:26380", REDIS_SENTINEL_NAME: "sessions" }),
    );
    expect(config.redis).toMatchObject({
      url: null,
      clusterNodes: [],
      sentinels: [
        { host: "sentinel-1", port: 26379 },
        { host: "sentinel-2", port: 26380 },
      ],
      sentinelName: "sessions",
    });
  });

  test("the master name defaults to mymaster", () => {
    expect(ok(loadConfig({ ...PRODUCTION, REDIS_SENTINELS: "sentinel:26379" })).redis.sentinelName).toBe("mymaster");
  });

  test.each(["sentinel", "sentinel:", "sentinel:0", "sentinel:70000", "sentinel:port"])("REDIS_SENTINELS=%s is refused", (value) => {
    expect(errors(loadConfig({ ...PRODUCTION, REDIS_SENTINELS: value }))).toMatch(/REDIS_SENTINELS: must be host:port pairs/);
  });

  test("a master name with spaces is refused; a name without Sentinels is a mistake", () => {
    expect(errors(loadConfig({ ...PRODUCTION, REDIS_SENTINELS: "s:26379", REDIS_SENTINEL_NAME: "my master" }))).toMatch(
      /REDIS_SENTINEL_NAME/,
    );
    expect(errors(loadConfig({ ...PRODUCTION, REDIS_URL: "redis://r:6379", REDIS_SENTINEL_NAME: "sessions" }))).toMatch(
      /REDIS_SENTINEL_NAME: set REDIS_SENTINELS too/,
    );
  });
});

describe("exactly one way to Redis", () => {
  test.each([
    [{ REDIS_URL: "redis://r:6379", REDIS_SENTINELS: "s:26379" }],
    [{ REDIS_URL: "redis://r:6379", REDIS_CLUSTER_NODES: "c:6379" }],
    [{ REDIS_CLUSTER_NODES: "c:6379", REDIS_SENTINELS: "s:26379" }],
  ])("two of them together are refused: %o", (redis) => {
    expect(errors(loadConfig({ ...PRODUCTION, ...redis }))).toMatch(/set one of them, not several/);
  });

  test("production needs one of them", () => {
    expect(errors(loadConfig(PRODUCTION))).toMatch(/REDIS_URL \(or REDIS_CLUSTER_NODES, or REDIS_SENTINELS\): required/);
  });

  test("an empty REDIS_URL counts as unset (as docker compose passes it next to REDIS_SENTINELS)", () => {
    expect(ok(loadConfig({ ...PRODUCTION, REDIS_URL: "", REDIS_SENTINELS: "s:26379" })).redis.url).toBeNull();
  });
});

describe("METRICS_TOKEN", () => {
  test("unset: /metrics is open, and production warns about it", () => {
    const config = ok(loadConfig({ ...PRODUCTION, REDIS_URL: "redis://r:6379" }));
    expect(config.metricsToken).toBeNull();
    expect(config.warnings.join("\n")).toMatch(/METRICS_TOKEN is not set/);
    expect(ok(loadConfig({})).warnings.join("\n")).not.toMatch(/METRICS_TOKEN/);
  });

  test("set: kept, and no warning", () => {
    const config = ok(loadConfig({ ...PRODUCTION, REDIS_URL: "redis://r:6379", METRICS_TOKEN: "0123456789abcdef0123" }));
    expect(config.metricsToken).toBe("0123456789abcdef0123");
    expect(config.warnings.join("\n")).not.toMatch(/METRICS_TOKEN/);
  });

  test.each(["short", "has a space in it 0123", "x".repeat(257)])("%s is refused, and never echoed", (token) => {
    const problems = errors(loadConfig({ METRICS_TOKEN: token }));
    expect(problems).toMatch(/METRICS_TOKEN: must be 16-256 printable characters/);
    expect(problems).not.toContain(token);
  });
});

describe("credentials for a Cluster or Sentinels", () => {
  test("REDIS_USERNAME and REDIS_PASSWORD go to the Cluster's nodes", () => {
    const config = ok(loadConfig({ ...PRODUCTION, REDIS_CLUSTER_NODES: "c:6379", REDIS_USERNAME: "sessions", REDIS_PASSWORD: "pw" }));
    expect(config.redis).toMatchObject({ username: "sessions", password: "pw", sentinelPassword: null });
  });

  test("with Sentinels: the master's password, and the Sentinels' own", () => {
    const config = ok(loadConfig({ ...PRODUCTION, REDIS_SENTINELS: "s:26379", REDIS_PASSWORD: "pw", REDIS_SENTINEL_PASSWORD: "spw" }));
    expect(config.redis).toMatchObject({ username: null, password: "pw", sentinelPassword: "spw" });
  });

  test("none by default", () => {
    expect(ok(loadConfig({ ...PRODUCTION, REDIS_CLUSTER_NODES: "c:6379" })).redis).toMatchObject({
      username: null,
      password: null,
      sentinelPassword: null,
    });
  });

  test("with REDIS_URL they are refused: the URL carries its own credentials", () => {
    expect(errors(loadConfig({ ...PRODUCTION, REDIS_URL: "redis://r:6379", REDIS_PASSWORD: "pw" }))).toMatch(
      /put the credentials in the URL/,
    );
  });

  test("a username needs a password; a Sentinel password needs Sentinels", () => {
    expect(errors(loadConfig({ ...PRODUCTION, REDIS_CLUSTER_NODES: "c:6379", REDIS_USERNAME: "sessions" }))).toMatch(
      /REDIS_USERNAME: set REDIS_PASSWORD too/,
    );
    expect(errors(loadConfig({ ...PRODUCTION, REDIS_CLUSTER_NODES: "c:6379", REDIS_SENTINEL_PASSWORD: "spw" }))).toMatch(
      /REDIS_SENTINEL_PASSWORD: set REDIS_SENTINELS too/,
    );
  });
});
