// Logs a person reads at a terminal are pretty-printed (pino-pretty, a dev dependency); logs that go
// anywhere else (a pipe, a file, a collector) stay JSON lines. util-linux `script` gives the server
// a terminal.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, PROJECT_ROOT, runServer } from "../support/process.js";
import { freePort } from "../support/redis-server.js";

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => buildServer(), 60_000);

const listeningLine = (output: string) => output.split(/\r?\n/).find((text) => text.includes("Listening on"));

(hasScript ? test : test.skip)(
  "at a terminal outside production: readable lines, not JSON",
  async () => {
    const port = await freePort();
    const command = `${process.execPath} ${join(PROJECT_ROOT, "dist/server.js")}`;
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: mkdtempSync(join(tmpdir(), "gls-terminal-")),
      env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", TERM: "dumb" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    const listening = new Promise<string>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const line = listeningLine(output);
        if (line) resolve(line);
      }),
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      const line = await listening;
      expect(line).toContain("INFO");
      expect(line.trim().startsWith("{")).toBe(false);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  },
  30_000,
);

test("through a pipe: JSON lines", async () => {
  const port = await freePort();
  const server = runServer({ PORT: String(port), HOST: "127.0.0.1" });
  try {
    await server.untilOutput("Listening on");
    expect(JSON.parse(listeningLine(server.output())!)).toMatchObject({ level: 30, msg: expect.stringContaining("Listening on") });
  } finally {
    await server.stop();
  }
}, 30_000);
