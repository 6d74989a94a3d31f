// Runs one throwaway redis-server (or Sentinel) process and waits until it says it is ready; the
// building block of the Cluster and Sentinel test topologies.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface RedisProcess {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function spawnRedisProcess(port: number, args: string[], readyText: string): Promise<RedisProcess> {
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`redis-server ${args.join(" ")} did not start: ${output}`)), 10_000);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`redis-server exited with code ${code}: ${output}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners("exit");
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** True when nothing listens on 127.0.0.1:port right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
