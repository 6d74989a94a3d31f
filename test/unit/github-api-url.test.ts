// Where the REST API is for each kind of GitHub (SPEC §2): derived from GITHUB_BASE_URL unless
// GITHUB_API_URL says otherwise.
import { loadConfig } from "../../src/config/load-config.js";

const PRODUCTION = {
  NODE_ENV: "production",
  PUBLIC_URL: "https://login.example.com",
  GITHUB_CLIENT_ID: "Iv23liabc",
  GITHUB_CLIENT_SECRET: "secret",
  REDIS_URL: "redis://redis:6379",
  SESSION_SECRET: "s".repeat(40),
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  TRUST_PROXY: "1",
};

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
    expect(apiUrlFor({ GITHUB_BASE_URL: "https://octocorp.ghe.com", GITHUB_API_URL: "https://api.example.net/" })).toBe("https://api.example.net");
  });
});
