// Runs a Node program as a separate process (the standalone emulator, as a person starts it) and
// lets a test wait for what it writes, without polling.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** packages/github-emulator/ (this package's root). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves when the process's output (stdout and stderr) matches `text`; rejects if it exits first. */
  untilOutput(text: RegExp): Promise<void>;
  stop(): Promise<void>;
}

/** `node <args>` in `cwd`, with PATH as its only variable. */
export function runNode(args: string[], cwd: string): NodeProcess {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  // Waiters for a text are told the moment a chunk brings it.
  const waiters = new Set<{ text: RegExp; resolve: () => void }>();
  const take = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) if (waiter.text.test(output)) waiter.resolve();
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    untilOutput(text) {
      if (text.test(output)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          text,
          resolve: () => {
            waiters.delete(waiter);
            resolve();
          },
        };
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.delete(waiter)) return;
          reject(new Error(`the process exited (code ${code}) before writing ${String(text)}:\n${output}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * `promise` (one that settles at the event itself), bounded, so that an event that never comes fails
 * with its name instead of the test's anonymous timeout.
 */
export async function within<T>(
  what: string,
  promise: Promise<T>,
  options: { timeoutMs?: number; detail?: () => string } = {},
): Promise<T> {
  const { timeoutMs = 5_000, detail } = options;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ""}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
