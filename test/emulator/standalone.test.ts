// The emulator as its own process (`npm run emulator`, i.e. node dist/emulator/standalone.js after the
// build): it prints the client's credentials and the server's variables, completes a whole sign-in
// over HTTP, refuses bad flags in one line, and exits 0 on SIGTERM and SIGINT.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { approveAtEmulator } from "../support/emulator-server.js";
import { within } from "../support/eventually.js";
import { PROJECT_ROOT, runServer, type ServerProcess } from "../support/process.js";

const ENTRY = join(PROJECT_ROOT, "dist/emulator/standalone.js");
const START_TIMEOUT_MS = 10_000;

/**
 * Compiles src/emulator into dist/ with the project's own compiler options, exactly as `npm run
 * build` does for these files, but alone: the emulator imports nothing else, and the rest of src/
 * has no say in whether this test can run.
 */
function buildEmulator(): void {
  const directory = mkdtempSync(join(tmpdir(), "gls-emulator-build-"));
  const config = join(directory, "tsconfig.json");
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(PROJECT_ROOT, "tsconfig.json"),
      compilerOptions: { rootDir: join(PROJECT_ROOT, "src"), outDir: join(PROJECT_ROOT, "dist"), typeRoots: [join(PROJECT_ROOT, "node_modules/@types")] },
      files: [join(PROJECT_ROOT, "src/emulator/standalone.ts")],
      include: [],
    }),
  );
  try {
    execFileSync(process.execPath, [join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-p", config], { stdio: "pipe" });
  } catch (error) {
    const { stdout } = error as { stdout?: Buffer };
    throw new Error(`compiling the emulator failed:\n${stdout?.toString() ?? ""}`, { cause: error });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function runEmulator(args: string[]): ServerProcess {
  // Started outside the project (the emulator reads no files from its working directory).
  return runServer({}, { cwd: tmpdir(), args: [ENTRY, ...args] });
}

/** Waits for the variables block (one write, listening by then) and returns it as NAME → value. */
async function printedVariables(emulator: ServerProcess): Promise<Record<string, string>> {
  // The block ends the output: GITHUB_API_URL, then PUBLIC_URL when the callback names the server.
  await within("the emulator to print its variables", emulator.untilOutput(/\nGITHUB_API_URL=[^\n]*\n(?:PUBLIC_URL=[^\n]*\n)?$/), {
    timeoutMs: START_TIMEOUT_MS,
    detail: () => emulator.output(),
  });
  return Object.fromEntries([...emulator.output().matchAll(/^([A-Z_]+)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]));
}

beforeAll(() => buildEmulator(), 60_000);

describe("a GitHub App for the server's callback (the defaults)", () => {
  let emulator: ServerProcess;
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
    for (const [name, value] of Object.entries({ client_id: variables.GITHUB_CLIENT_ID!, redirect_uri: callback, state: "st", code_challenge: challenge, code_challenge_method: "S256" })) {
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

    const user = await fetch(`${variables.GITHUB_API_URL}/user`, { headers: { "user-agent": "standalone-test", authorization: `Bearer ${tokens.access_token}` } });
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
  let emulator: ServerProcess;
  afterEach(() => emulator.stop());

  it("uses them, and its tokens carry the scopes granted", async () => {
    const secret = "a-fixed-secret-for-restarts-0123456789";
    emulator = runEmulator(["--port", "0", "--host", "127.0.0.1", "--type", "oauth-app", "--callback", "http://127.0.0.1:8080/oauth/cb", "--client-secret", secret]);
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
    const user = await fetch(`${variables.GITHUB_API_URL}/user`, { headers: { "user-agent": "t", authorization: `token ${tokens.access_token}` } });
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
    [["--type", "oauth-app", "--callback", "http://a.test/cb", "--callback", "http://b.test/cb"], /^emulator: an OAuth App has exactly one --callback/],
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
    expect(emulator.output()).toMatch(/^Usage: npm run emulator -- \[--port 4000\]/);
  });
});
