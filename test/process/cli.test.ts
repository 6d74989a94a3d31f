// The operator commands (SPEC §8) as an operator runs them: `node dist/cli.js sessions list|end`
// against the server's Redis and GitHub (here the emulator), with the server's configuration from
// the environment. Output, exit codes, and what `end` really ends.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { freePort } from "../support/redis-server.js";
import { buildServer, PROJECT_ROOT } from "../support/process.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
beforeAll(async () => {
  buildServer();
  stack = await startTestStack();
}, 60_000);
afterAll(() => stack.close());

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs dist/cli.js with the server's environment (and `env` on top), in an empty folder (no .env). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const cwd = mkdtempSync(join(tmpdir(), "gls-cli-"));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, "dist/cli.js"), ...args],
      { cwd, env: { PATH: process.env.PATH ?? "", ...stack.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

test("sessions list <login>: one line per session, with its opaque id, kind, host and times", async () => {
  await stack.redis.del(`${stack.keyPrefix}user:583231:sessions`);
  await signedInBrowser(stack.app, "octocat");
  await signedInBrowser(stack.app, "octocat");
  const listed = await cli(["sessions", "list", "octocat"]);
  expect([listed.code, listed.stderr]).toEqual([0, ""]);
  const lines = listed.stdout.trim().split("\n");
  expect(lines).toHaveLength(2);
  for (const line of lines)
    expect(line).toMatch(/^[A-Za-z0-9_-]{22} {2}browser {2}app\.test:3000 {2}signed in \d{4}-\d\d-\d\dT.* {2}last seen .*$/);
  stack.emulator.emulator.resetStats();
  const byId = await cli(["sessions", "list", "--id", "583231"]);
  const ids = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((line) => line.split("  ")[0]);
  expect(ids(byId.stdout)).toEqual(ids(listed.stdout));
  expect(stack.emulator.emulator.stats.apiRequests).toEqual([]); // by id, without asking GitHub
});

test("sessions end <login> --revoke: every session refused from its next request, the authorization revoked, one audit line each", async () => {
  await stack.redis.del(`${stack.keyPrefix}user:583231:sessions`);
  const browsers = [await signedInBrowser(stack.app, "octocat"), await signedInBrowser(stack.app, "octocat")];
  const monalisa = await signedInBrowser(stack.app, "monalisa");
  const token = stack.emulator.emulator.issuedAccessTokens().at(-2)!; // octocat's second sign-in
  const ended = await cli(["sessions", "end", "octocat", "--revoke"]);
  expect([ended.code, ended.stdout.trim()]).toEqual([0, "ended 2 session(s) of @octocat; the app's authorization was revoked at GitHub"]);
  const audit = ended.stderr
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(audit.map(({ event, reason, login }) => ({ event, reason, login }))).toEqual([
    { event: "session_ended", reason: "operator", login: "octocat" },
    { event: "session_ended", reason: "operator", login: "octocat" },
  ]);
  for (const { cookie } of browsers) await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(401);
  await request(stack.app).get("/auth/check").set("Cookie", monalisa.cookie).expect(204);
  const check = await fetch(`${stack.emulator.url}/api/v3/user`, { headers: { authorization: `token ${token}`, "user-agent": "test" } });
  expect(check.status).toBe(401);
  expect((await cli(["sessions", "list", "octocat"])).stdout.trim()).toBe("@octocat has no sessions");
});

test("bad input and an unreachable Redis or GitHub: a clear line and a non-zero exit", async () => {
  for (const args of [
    [],
    ["sessions"],
    ["sessions", "list"],
    ["sessions", "list", "a", "b"],
    ["sessions", "list", "octocat", "--revoke"],
    ["sessions", "drop", "octocat"],
    ["sessions", "list", "--id", "x"],
    ["sessions", "list", "bad login!"],
  ]) {
    const ran = await cli(args);
    expect([args, ran.code, ran.stderr.split("\n")[0]]).toEqual([args, 2, "usage: node dist/cli.js sessions list <login | --id N>"]);
  }
  const unknown = await cli(["sessions", "list", "nobody-here"]);
  expect([unknown.code, unknown.stderr.trim()]).toEqual([1, "github-login-server: GitHub knows no user @nobody-here"]);
  const noRedis = await cli(["sessions", "list", "octocat"], { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  expect([noRedis.code, noRedis.stderr.trim()]).toEqual([1, "github-login-server: Redis is not reachable"]);
  const noGitHub = await cli(["sessions", "list", "octocat"], { GITHUB_API_URL: `http://127.0.0.1:${await freePort()}/api/v3` });
  expect(noGitHub.code).toBe(1);
  expect(noGitHub.stderr).toContain("give --id <GitHub user id> instead");
  const badConfig = await cli(["sessions", "list", "octocat"], { SESSION_IDLE_TIMEOUT: "soon" });
  expect([badConfig.code, badConfig.stderr.split("\n")[0]]).toEqual([1, "github-login-server: the configuration has 1 problem(s):"]);
}, 60_000);
