// The reference client (`node dist/cli.js login --server URL`, `status`, `logout`) against a running
// server: it prints the code and the address, waits for the authorization at the interval, keeps the
// token with mode 0600 under $XDG_CONFIG_HOME, names itself in User-Agent, waits out a 503 with
// Retry-After, and exits non-zero with a clear line when the sign-in fails.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, PROJECT_ROOT } from "../support/process.js";
import { startTestStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let server: Server;
let url: string;
beforeAll(async () => {
  buildServer();
  stack = await startTestStack({ env: { DEVICE_FLOW: "true" } });
  server = createServer(stack.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stack.close();
});

interface Login {
  /** Resolves with the user code once the client has printed it. */
  userCode: Promise<string>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function runLogin(args: string[], env: Record<string, string>, command = "login"): Login {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "dist/cli.js"), command, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  let stdout = "";
  let stderr = "";
  let codeSeen: (code: string) => void = () => undefined;
  const userCode = new Promise<string>((resolve) => (codeSeen = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    const match = /one-time code: (\S+)/.exec(stdout);
    if (match) codeSeen(match[1]!);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { userCode, done };
}

const configHome = () => mkdtempSync(join(tmpdir(), "gls-login-"));

test("signs in once the code is approved and keeps the token in $XDG_CONFIG_HOME with mode 0600", async () => {
  const home = configHome();
  const login = runLogin(["--server", url], { XDG_CONFIG_HOME: home, HOME: "/nonexistent" });
  stack.emulator.emulator.approveDevice(await login.userCode, "octocat");
  const { code, stdout, stderr } = await login.done;
  expect([code, stderr]).toEqual([0, ""]);
  expect(stdout).toContain(`${stack.emulator.url}/login/device`);
  expect(stdout).toContain("Signed in as @octocat");
  const path = join(home, "github-login-server", "token.json");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const saved = JSON.parse(readFileSync(path, "utf8")) as { server: string; access_token: string; user: { login: string } };
  expect(saved).toMatchObject({ server: url, user: { login: "octocat" } });
  expect(stdout).not.toContain(saved.access_token);
  const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${saved.access_token}` } });
  expect(me.status).toBe(200);
}, 20_000);

test("falls back to ~/.config; a denied sign-in exits 1 with a clear line and saves nothing", async () => {
  const home = configHome();
  const login = runLogin(["--server", url], { HOME: home });
  stack.emulator.emulator.denyDevice(await login.userCode);
  const { code, stderr } = await login.done;
  expect(code).toBe(1);
  expect(stderr).toMatch(/^github-login-server login: the sign-in was refused/);
  expect(() => statSync(join(home, ".config", "github-login-server", "token.json"))).toThrow();
}, 20_000);

test("bad arguments exit 2 with the usage; an unreachable server or one without DEVICE_FLOW exits 1", async () => {
  for (const args of [[], ["--server"], ["--server", "ftp://x"], ["--server", url, "extra"]]) {
    const ran = await runLogin(args, { HOME: configHome() }).done;
    expect([args, ran.code, ran.stderr.split("\n")[0]]).toEqual([
      args,
      2,
      "usage: node dist/cli.js login --server <URL of the login server>",
    ]);
  }
  const unreachable = await runLogin(["--server", "http://127.0.0.1:1"], { HOME: configHome() }).done;
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toMatch(/could not reach http:\/\/127\.0\.0\.1:1/);
  const off = await startTestStack();
  const offServer = createServer(off.app);
  await new Promise<void>((resolve) => offServer.listen(0, "127.0.0.1", () => resolve()));
  try {
    const ran = await runLogin(["--server", `http://127.0.0.1:${(offServer.address() as AddressInfo).port}`], { HOME: configHome() }).done;
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain("does not offer device sign-in");
  } finally {
    offServer.closeAllConnections();
    await new Promise<void>((resolve) => offServer.close(() => resolve()));
    await off.close();
  }
});

const run = (command: string, args: string[], env: Record<string, string>) => runLogin(args, env, command).done;

test("--help prints every command on stdout and exits 0", async () => {
  const help = await run("--help", [], { HOME: configHome() });
  expect([help.code, help.stderr]).toEqual([0, ""]);
  for (const command of ["sessions list", "sessions end", "login --server", "status", "logout"]) expect(help.stdout).toContain(command);
});

test("names itself in User-Agent; status says who the kept token is; logout ends that session and forgets it", async () => {
  const home = configHome();
  const env = { XDG_CONFIG_HOME: home, HOME: "/nonexistent" };
  const login = runLogin(["--server", url], env);
  stack.emulator.emulator.approveDevice(await login.userCode, "octocat");
  expect((await login.done).code).toBe(0);
  const path = join(home, "github-login-server", "token.json");
  const { access_token: token } = JSON.parse(readFileSync(path, "utf8")) as { access_token: string };
  const listed = (await (await fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    current: boolean;
    userAgent: string;
  }[];
  expect(listed.find((session) => session.current)?.userAgent).toMatch(/^github-login-server-cli\/\d+\.\d+\.\d+$/);

  const status = await run("status", [], env);
  expect([status.code, status.stderr]).toEqual([0, ""]);
  expect(status.stdout).toMatch(new RegExp(`^Signed in to ${url} as @octocat, until `));

  const logout = await run("logout", [], env);
  expect([logout.code, logout.stderr, logout.stdout.trim()]).toEqual([0, "", `Signed out of ${url}.`]);
  expect(() => statSync(path)).toThrow();
  expect((await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

  const after = await run("status", [], env);
  expect([after.code, after.stderr.trim()]).toEqual([
    1,
    "github-login-server status: not signed in (run: node dist/cli.js login --server <URL>)",
  ]);
}, 30_000);

test("a 503 with Retry-After is waited out, not a failure", async () => {
  let refusals = 0;
  const busy = createServer((request, response) => {
    if (request.url === "/auth/device" && refusals === 0) {
      refusals += 1;
      response.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
      return void response.end(JSON.stringify({ error: "store_unavailable", message: "The session store is not answering." }));
    }
    stack.app(request, response);
  });
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", () => resolve()));
  try {
    const login = runLogin(["--server", `http://127.0.0.1:${(busy.address() as AddressInfo).port}`], { HOME: configHome() });
    stack.emulator.emulator.approveDevice(await login.userCode, "octocat");
    const { code, stderr } = await login.done;
    expect(refusals).toBe(1);
    expect(code).toBe(0);
    expect(stderr.trim()).toBe("The server is busy (503: The session store is not answering.); trying again in 1 s…");
  } finally {
    busy.closeAllConnections();
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  }
}, 30_000);
