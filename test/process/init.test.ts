// npm run init (scripts/init.mjs): a .env from .env.example with new secrets the server accepts,
// the GitHub credentials from flags, and never an existing .env overwritten.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import { PROJECT_ROOT } from "../support/process.js";

function init(args: string[], folder = mkdtempSync(join(tmpdir(), "gls-init-"))) {
  const ran = spawnSync(process.execPath, [join(PROJECT_ROOT, "scripts/init.mjs"), ...args], { cwd: folder, encoding: "utf8", input: "" });
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr, folder };
}

/** The .env's settings as the server's .env reader would see them (KEY=value lines, comments skipped). */
function settingsIn(folder: string): Record<string, string> {
  const lines = readFileSync(join(folder, ".env"), "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line));
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

test("with credentials: a production configuration the server accepts, readable by its owner only", () => {
  const { code, stdout, folder } = init(["--client-id", "Iv23liabc", "--client-secret", "s3cret"]);
  expect(code).toBe(0);
  expect(stdout).toContain("Wrote .env with your GitHub app's credentials");
  expect(statSync(join(folder, ".env")).mode & 0o777).toBe(0o600);
  const settings = settingsIn(folder);
  expect(Object.keys(settings).sort()).toEqual([
    "GITHUB_CLIENT_ID",
    "GITHUB_CLIENT_SECRET",
    "PUBLIC_URL",
    "SESSION_SECRET",
    "TOKEN_ENCRYPTION_KEY",
  ]);
  const result = loadConfig({ ...settings, NODE_ENV: "production", REDIS_URL: "redis://redis:6379", TRUST_PROXY: "1" });
  expect(result.ok ? "accepted" : result.errors).toBe("accepted");
  // Every other line of the example stays, so each setting is documented where it is set.
  expect(readFileSync(join(folder, ".env"), "utf8")).toContain("# PROFILE_MAX_AGE=5m");
});

test("each run generates different secrets; --demo writes no credentials", () => {
  const first = init(["--demo"]);
  const second = init(["--demo"]);
  expect([first.code, second.code]).toEqual([0, 0]);
  const [a, b] = [settingsIn(first.folder), settingsIn(second.folder)];
  expect(Object.keys(a).sort()).toEqual(["SESSION_SECRET", "TOKEN_ENCRYPTION_KEY"]);
  expect(a.SESSION_SECRET).not.toBe(b.SESSION_SECRET);
  expect(a.TOKEN_ENCRYPTION_KEY).not.toBe(b.TOKEN_ENCRYPTION_KEY);
  expect(Buffer.from(a.TOKEN_ENCRYPTION_KEY!, "base64")).toHaveLength(32);
});

test("an existing .env is never overwritten", () => {
  const folder = mkdtempSync(join(tmpdir(), "gls-init-"));
  writeFileSync(join(folder, ".env"), "GITHUB_CLIENT_ID=mine\n");
  const { code, stderr } = init(["--demo"], folder);
  expect([code, stderr.trim()]).toEqual([1, ".env already exists; nothing was written. Move it away first to start again."]);
  expect(readFileSync(join(folder, ".env"), "utf8")).toBe("GITHUB_CLIENT_ID=mine\n");
});

test("bad flags exit 2 with the usage; half a credential writes nothing", () => {
  for (const args of [["--client-id"], ["--nope"], ["--demo", "--client-id", "x"], ["--client-id", "a", "--client-id", "b"]]) {
    const ran = init(args);
    expect([args, ran.code, ran.stderr.trim()]).toEqual([
      args,
      2,
      "usage: npm run init [-- --client-id ID --client-secret SECRET] [--public-url URL] [--demo]",
    ]);
  }
  const half = init(["--client-id", "Iv23liabc"]);
  expect(half.code).toBe(1);
  expect(() => statSync(join(half.folder, ".env"))).toThrow();
});
