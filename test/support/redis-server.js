// Starts a throwaway redis-server on a free port, so tests talk to a real Redis without touching
// any Redis the machine already runs. Plain JavaScript because jest's globalSetup loads it natively.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** @typedef {{ url: string, port: number, process: import("node:child_process").ChildProcess, dir: string }} RunningRedis */

/** @returns {Promise<number>} a TCP port on 127.0.0.1 that was free a moment ago */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {number} [port] reuse a port, e.g. to restart a stopped server where clients expect it
 * @param {{ dir?: string, appendOnly?: boolean }} [options] keep data in `dir` (append-only file) across restarts
 * @returns {Promise<RunningRedis>}
 */
export async function startRedisServer(port, options = {}) {
  const chosenPort = port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "gls-redis-"));
  const appendOnly = options.appendOnly ? "yes" : "no";
  const args = ["--port", String(chosenPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", appendOnly, "--dir", dir];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise((resolve, reject) => {
    let output = "";
    const fail = (/** @type {Error} */ error) => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`redis-server did not start on port ${chosenPort}: ${output}`)), 10_000);
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`redis-server exited with code ${code}: ${output}`)));
    child.stdout?.on("data", (/** @type {Buffer} */ chunk) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  });
  child.removeAllListeners("exit");
  child.stdout?.removeAllListeners("data");
  child.stdout?.resume();
  child.stderr?.resume();
  return { url: `redis://127.0.0.1:${chosenPort}`, port: chosenPort, process: child, dir };
}

/**
 * @param {RunningRedis} redis
 * @param {{ keepDir?: boolean }} [options] keep the data directory, to start again on it
 */
export async function stopRedisServer(redis, options = {}) {
  if (redis.process.exitCode === null && redis.process.signalCode === null) {
    await new Promise((resolve) => {
      redis.process.once("exit", () => resolve(undefined));
      redis.process.kill("SIGTERM");
    });
  }
  if (!options.keepDir) rmSync(redis.dir, { recursive: true, force: true });
}
