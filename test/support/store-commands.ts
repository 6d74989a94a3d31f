// The Redis commands a test's requests make, from MONITOR: for tests that count round trips.
import { Redis } from "ioredis";
import { testRedisUrl, type TestStack } from "./stack.js";

/** Every command under the stack's key prefix that Redis ran while `action` ran, in the order Redis ran them. */
export async function storeCommandsDuring(stack: TestStack, action: () => Promise<unknown>): Promise<string[][]> {
  const watcher = new Redis(testRedisUrl());
  const monitor = await watcher.monitor();
  const seen: string[][] = [];
  monitor.on("monitor", (_time: string, args: string[]) => seen.push(args));
  try {
    await action();
    // MONITOR reports commands in the order Redis ran them: once this marker shows, all of the action's have.
    const marker = `${stack.keyPrefix}marker`;
    await stack.redis.get(marker);
    while (!seen.some((args) => args[1] === marker)) await new Promise((resolve) => setImmediate(resolve));
    return seen.filter((args) => args.some((arg) => arg.startsWith(stack.keyPrefix)) && args[1] !== marker);
  } finally {
    monitor.disconnect();
    watcher.disconnect();
  }
}
