// The emulator as its own process: the github-emulator command (bin/github-emulator.js: `npx
// github-emulator`, `npm run emulator` in github-login-server) brings dist/ up to date from the
// sources when TypeScript is there, then runs dist/standalone.js, which prints the client's
// credentials and the server's variables, completes a whole sign-in over HTTP, refuses bad flags in
// one line, and exits 0 on SIGTERM and SIGINT.
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { approveAtEmulator } from "./support/emulator-server.js";
import { PACKAGE_ROOT, runNode, within, type NodeProcess } from "./support/process.js";

const COMMAND = join(PACKAGE_ROOT, "bin/github-emulator.js");
const ENTRY = join(PACKAGE_ROOT, "dist/standalone.js");
const START_TIMEOUT_MS = 10_000;

function runEmulator(args: string[]): NodeProcess {
  // Started outside the package (the emulator reads no files from its working directory).
  return runNode([ENTRY, ...args], tmpdir());
}

// The command brings this package's dist/ up to date (tsc -b, only what changed); the tests run it.
beforeAll(async () => {
  const build = runNode([COMMAND, "--help"], tmpdir());
  if ((await build.exited) !== 0) throw new Error(`github-emulator --help failed:\n${build.output()}`);
}, 60_000);

describe("the github-emulator command", () => {
  // A checkout of its own: the package's sources and the shared compiler options where the package
  // expects them, and the dependencies (TypeScript among them) where Node looks for them.
  let checkout: string;
  let packageDir: string;
  const command = () => join(packageDir, "bin/github-emulator.js");
  beforeAll(() => {
    checkout = mkdtempSync(join(tmpdir(), "github-emulator-checkout-"));
    packageDir = join(checkout, "packages/github-emulator");
    for (const part of ["bin", "src", "views", "package.json", "tsconfig.json"])
      cpSync(join(PACKAGE_ROOT, part), join(packageDir, part), { recursive: true });
    cpSync(join(PACKAGE_ROOT, "../../tsconfig.base.json"), join(checkout, "tsconfig.base.json"));
    symlinkSync(join(PACKAGE_ROOT, "../../node_modules"), join(checkout, "node_modules"), "dir");
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it("builds dist/ from the sources first, then runs it: --help prints the usage and exits 0", async () => {
    const help = runNode([command(), "--help"], tmpdir());
    expect(await within("the build and --help", help.exited, { timeoutMs: 50_000, detail: help.output })).toBe(0);
    expect(help.output()).toMatch(/^Usage: github-emulator \[--port 4000\]/);
    expect(existsSync(join(packageDir, "dist/standalone.js"))).toBe(true);
  }, 60_000);

  describe("installed without its sources (dist/ only)", () => {
    let installed: string;
    beforeAll(() => {
      installed = mkdtempSync(join(tmpdir(), "github-emulator-install-"));
      for (const part of ["bin", "dist", "views", "package.json"])
        cpSync(join(packageDir, part), join(installed, part), { recursive: true });
      symlinkSync(join(PACKAGE_ROOT, "../../node_modules"), join(installed, "node_modules"), "dir");
    });
    afterAll(() => rmSync(installed, { recursive: true, force: true }));

    it("runs what is built, without trying to build", async () => {
      const help = runNode([join(installed, "bin/github-emulator.js"), "--help"], tmpdir());
      expect(await help.exited).toBe(0);
      expect(help.output()).toMatch(/^Usage: github-emulator /);
    });

    it("says in one line that dist/ is missing, exit code 1", async () => {
      rmSync(join(installed, "dist"), { recursive: true });
      const run = runNode([join(installed, "bin/github-emulator.js"), "--help"], tmpdir());
      expect(await run.exited).toBe(1);
      expect(run.output().trimEnd().split("\n")).toEqual([expect.stringMatching(/^github-emulator: .*dist\/standalone\.js is missing/)]);
    });
  });

  it("a source that does not compile: the compiler's errors, exit code 1, and nothing runs", async () => {
    appendFileSync(join(packageDir, "src/standalone-args.ts"), '\nexport const broken: number = "not a number";\n');
    const run = runNode([command(), "--help"], tmpdir());
    expect(await within("the build", run.exited, { timeoutMs: 50_000, detail: run.output })).toBe(1);
    expect(run.output()).toContain("error TS2322");
    expect(run.output()).toMatch(/github-emulator: the build failed/);
    expect(run.output()).not.toContain("Usage:");
  }, 60_000);
});

/** Waits for the variables block (one write, listening by then) and returns it as NAME → value. */
async function printedVariables(emulator: NodeProcess): Promise<Record<string, string>> {
  // The block ends the output: GITHUB_API_URL, then PUBLIC_URL when the callback names the server.
  await within("the emulator to print its variables", emulator.untilOutput(/\nGITHUB_API_URL=[^\n]*\n(?:PUBLIC_URL=[^\n]*\n)?$/), {
    timeoutMs: START_TIMEOUT_MS,
    detail: () => emulator.output(),
  });
  return Object.fromEntries([...emulator.output().matchAll(/^([A-Z_]+)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]));
}

describe("a GitHub App for the server's callback (the defaults)", () => {
  let emulator: NodeProcess;
  afterEach(() => emulator.stop());

  it("prints the credentials and variables, and a sign-in walks authorize → token → /user", async () => {
    emulator = runEmulator(["--port", "0"]);
    const variables = await printedVariables(emulator);
    const base = variables.GITHUB_BASE_URL!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(variables).toEqual({
      GITHUB_CLIENT_ID: "Iv23liStandalone0001",
      GITHUB_CLIENT_SECRET: expect.stringMatching(/^[0-9a-f]{40}$/),
      GITHUB_BASE_URL: base,
      GITHUB_API_URL: `${base}/api/v3`,
      PUBLIC_URL: "http://localhost:3000",
    });
    expect(emulator.output()).toContain(`Client ID:     ${variables.GITHUB_CLIENT_ID}`);
    expect(emulator.output()).toContain(`Client secret: ${variables.GITHUB_CLIENT_SECRET}`);

    const callback = "http://localhost:3000/auth/github/callback";
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const authorize = new URL(`${base}/login/oauth/authorize`);
    for (const [name, value] of Object.entries({
      client_id: variables.GITHUB_CLIENT_ID!,
      redirect_uri: callback,
      state: "st",
      code_challenge: challenge,
      code_challenge_method: "S256",
    })) {
      authorize.searchParams.set(name, value);
    }
    const back = await approveAtEmulator(authorize.href, { login: "monalisa" });
    expect(`${back.origin}${back.pathname}`).toBe(callback);
    expect(back.searchParams.get("state")).toBe("st");

    const tokenAnswer = await fetch(`${base}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: new URLSearchParams({
        client_id: variables.GITHUB_CLIENT_ID!,
        client_secret: variables.GITHUB_CLIENT_SECRET!,
        code: back.searchParams.get("code") ?? "",
        redirect_uri: callback,
        code_verifier: verifier,
      }),
    });
    const tokens = (await tokenAnswer.json()) as { access_token: string; refresh_token: string; scope: string };
    expect(tokens.access_token).toMatch(/^ghu_/);
    expect(tokens.refresh_token).toMatch(/^ghr_/);
    expect(tokens.scope).toBe("");

    const user = await fetch(`${variables.GITHUB_API_URL}/user`, {
      headers: { "user-agent": "standalone-test", authorization: `Bearer ${tokens.access_token}` },
    });
    expect(user.status).toBe(200);
    const profile = (await user.json()) as { login: string; html_url: string };
    expect(profile.login).toBe("monalisa");
    expect((await fetch(profile.html_url)).status).toBe(200);
    // Another callback than the registered one is refused, as GitHub Apps match exactly.
    authorize.searchParams.set("redirect_uri", "http://localhost:3000/elsewhere");
    expect((await fetch(authorize, { redirect: "manual" })).headers.get("location")).toMatch(/error=redirect_uri_mismatch/);
  });
});

describe("an OAuth App with its own callback, host and secret", () => {
  let emulator: NodeProcess;
  afterEach(() => emulator.stop());

  it("uses them, and its tokens carry the scopes granted", async () => {
    const secret = "a-fixed-secret-for-restarts-0123456789";
    emulator = runEmulator([
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--type",
      "oauth-app",
      "--callback",
      "http://127.0.0.1:8080/oauth/cb",
      "--client-secret",
      secret,
    ]);
    const variables = await printedVariables(emulator);
    expect(variables.GITHUB_CLIENT_ID).toBe("Ov23liStandalone0001");
    expect(variables.GITHUB_CLIENT_SECRET).toBe(secret);
    expect(variables.PUBLIC_URL).toBeUndefined(); // not the server's /auth/github/callback: no guess
    const authorize = `${variables.GITHUB_BASE_URL}/login/oauth/authorize?${new URLSearchParams({ client_id: variables.GITHUB_CLIENT_ID!, scope: "read:user user:email" })}`;
    const back = await approveAtEmulator(authorize);
    expect(`${back.origin}${back.pathname}`).toBe("http://127.0.0.1:8080/oauth/cb");
    const tokens = (await (
      await fetch(`${variables.GITHUB_BASE_URL}/login/oauth/access_token`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ client_id: variables.GITHUB_CLIENT_ID, client_secret: secret, code: back.searchParams.get("code") }),
      })
    ).json()) as { access_token: string; scope: string; refresh_token?: string };
    expect(tokens.access_token).toMatch(/^gho_/);
    expect(tokens.scope).toBe("read:user,user:email");
    expect(tokens.refresh_token).toBeUndefined();
    const user = await fetch(`${variables.GITHUB_API_URL}/user`, {
      headers: { "user-agent": "t", authorization: `token ${tokens.access_token}` },
    });
    expect(((await user.json()) as { login: string }).login).toBe("octocat");
  });
});

describe("stopping", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("%s ends it with exit code 0, at once, even with a request half sent", async (signal) => {
    const emulator = runEmulator(["--port", "0"]);
    const base = new URL((await printedVariables(emulator)).GITHUB_BASE_URL!);
    await (await fetch(`${base.origin}/assets/emulator.css`)).text(); // fetch keeps its socket open
    // A client that never finishes its body: unless connections are closed, close() waits minutes.
    const stalled = connect(Number(base.port), base.hostname);
    stalled.on("error", () => undefined);
    try {
      await new Promise<void>((resolve) => stalled.once("connect", () => resolve()));
      stalled.write("POST /login/oauth/access_token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
      await new Promise((resolve) => setTimeout(resolve, 100));
      emulator.child.kill(signal);
      const stillRunning = new Promise<string>((resolve) => setTimeout(() => resolve("still running after 5 s"), 5_000).unref());
      expect(await Promise.race([emulator.exited, stillRunning])).toBe(0);
    } finally {
      stalled.destroy();
      if (emulator.child.exitCode === null && emulator.child.signalCode === null) emulator.child.kill("SIGKILL");
    }
  });
});

describe("bad command lines", () => {
  it.each([
    [["--bogus"], /^emulator: unknown option --bogus \(--help shows the options\)$/],
    [["--port"], /^emulator: --port needs a value/],
    [["--port", "70000"], /^emulator: --port must be a number from 0 to 65535/],
    [["--port", "4k"], /^emulator: --port must be a number/],
    [["--type", "app"], /^emulator: --type must be github-app or oauth-app, not "app"/],
    [["--callback", "localhost:3000/cb"], /^emulator: --callback must be an absolute http\(s\) URL/],
    [["--callback", "javascript:alert(1)"], /^emulator: --callback must be an absolute http\(s\) URL/],
    [
      ["--type", "oauth-app", "--callback", "http://a.test/cb", "--callback", "http://b.test/cb"],
      /^emulator: an OAuth App has exactly one --callback/,
    ],
    [["--client-secret", "short"], /^emulator: --client-secret must be 16 to 100/],
    [["--host", "a b"], /^emulator: --host must be a host name or IP address/],
    [["4000"], /^emulator: unexpected argument 4000/],
    [["--help=yes"], /^emulator: --help takes no value/],
  ])("%j: one clear line, exit code 2", async (args, line) => {
    const emulator = runEmulator(args);
    expect(await emulator.exited).toBe(2);
    const output = emulator.output().trimEnd();
    expect(output.split("\n")).toHaveLength(1);
    expect(output).toMatch(line);
  });

  it("a port in use: one line, exit code 1", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const emulator = runEmulator(["--port", String(port)]);
      expect(await emulator.exited).toBe(1);
      expect(emulator.output().trimEnd()).toBe(`emulator: cannot listen on 127.0.0.1:${port}: the address is already in use`);
    } finally {
      taken.close();
    }
  });

  it("--help prints the usage and exits 0", async () => {
    const emulator = runEmulator(["--help"]);
    expect(await emulator.exited).toBe(0);
    expect(emulator.output()).toMatch(/^Usage: github-emulator \[--port 4000\]/);
  });
});
