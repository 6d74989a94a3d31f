// `npm start` and `npm run emulator` stop the way their process does: a SIGTERM to npm (a process
// manager's stop, Ctrl-C in a terminal) reaches the node process, which shuts down gracefully,
// and nothing is left running. Each script runs in a scratch project whose build does nothing and
// whose entry file only records the signal it got.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "../support/process.js";

const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

/** Stands in for the server or the emulator: says it is up, records the signal that stops it. */
const ENTRY = `
process.on("SIGTERM", () => { require("fs").writeFileSync("signal.log", "SIGTERM"); process.exit(0); });
console.log("up " + process.pid);
setInterval(() => undefined, 1000);
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const cases: [string, string][] = [
  ["start", "dist/server.js"],
  ["emulator", "packages/github-emulator/bin/github-emulator.js"],
];

describe.each(cases)("npm run %s", (script, entry) => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), `gls-${script}-signal-`));
    mkdirSync(join(project, "src"), { recursive: true });
    writeFileSync(join(project, "src/server.ts"), "");
    writeFileSync(join(project, "tsconfig.json"), "{}");
    mkdirSync(join(project, dirname(entry)), { recursive: true });
    writeFileSync(join(project, entry), ENTRY);
    // Built after the sources, so `npm start` does not build again.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(project, entry), later, later);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "signal-check", private: true, scripts: { [script]: scripts[script], build: "true" } }),
    );
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  test("a SIGTERM to npm reaches the node process, and nothing is left running", async () => {
    const npm = spawn("npm", ["run", script, "--silent"], { cwd: project, env: { ...process.env, npm_config_update_notifier: "false" } });
    let output = "";
    const up = new Promise<number>((resolve, reject) => {
      npm.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const started = /up (\d+)/.exec(output);
        if (started) resolve(Number(started[1]));
      });
      npm.once("exit", (code) => reject(new Error(`npm run ${script} exited (${code}) before the process was up: ${output}`)));
    });
    const pid = await up;
    try {
      const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
      npm.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(readFileSync(join(project, "signal.log"), "utf8")).toBe("SIGTERM");
      expect(alive(pid)).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });
});
