// Redis behind a Sentinel for one test file: a master, one replica and one Sentinel watching them
// (quorum 1), all redis-server processes on free ports, stopped and deleted by stop(). Passwords,
// when given, are required by the data nodes (both, since either may be master) and by the Sentinel.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { eventually } from "./eventually.js";
import { spawnRedisProcess, type RedisProcess } from "./redis-process.js";
import { freePort } from "./redis-server.js";

export interface RunningSentinel {
  masterName: string;
  master: RedisProcess;
  replica: RedisProcess;
  sentinel: RedisProcess;
  /** REDIS_SENTINELS for this Sentinel. */
  sentinelsVariable: string;
  stop(): Promise<void>;
}

export interface SentinelPasswords {
  /** Required by the master and the replica (requirepass), and used between them (masterauth). */
  data?: string;
  /** Required by the Sentinel itself. */
  sentinel?: string;
}

export async function startRedisSentinel(masterName = "gls-test-master", passwords: SentinelPasswords = {}): Promise<RunningSentinel> {
  const dataAuth = passwords.data ? ["--requirepass", passwords.data, "--masterauth", passwords.data] : [];
  const dir = mkdtempSync(join(tmpdir(), "gls-sentinel-"));
  const processes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const redisNode = async (name: string, extra: string[]) => {
    const port = await freePort();
    const nodeDir = mkdtempSync(join(dir, `${name}-`));
    const node = await spawnRedisProcess(
      port,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", nodeDir, ...dataAuth, ...extra],
      "Ready to accept connections",
    );
    processes.push(node);
    return node;
  };
  try {
    // No 5-second pause before the replica's first sync (the default, to batch replicas).
    const master = await redisNode("master", ["--repl-diskless-sync-delay", "0"]);
    const replica = await redisNode("replica", ["--replicaof", "127.0.0.1", String(master.port)]);
    const sentinelPort = await freePort();
    // Sentinel rewrites its configuration file, so it gets its own.
    const configFile = join(dir, "sentinel.conf");
    writeFileSync(
      configFile,
      [
        `port ${sentinelPort}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 10000`,
        ...(passwords.data ? [`sentinel auth-pass ${masterName} ${passwords.data}`] : []),
        ...(passwords.sentinel ? [`requirepass ${passwords.sentinel}`] : []),
        "",
      ].join("\n"),
    );
    const sentinel = await spawnRedisProcess(sentinelPort, [configFile, "--sentinel"], `+monitor master ${masterName}`);
    processes.push(sentinel);
    await untilSentinelCanPromote(sentinel.port, masterName, replica.port, passwords.sentinel);
    return { masterName, master, replica, sentinel, sentinelsVariable: `127.0.0.1:${sentinelPort}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Sentinel learns of replicas from the master's INFO, a moment after it starts: until it lists the
 * replica as healthy, a failover would fail with NOGOODSLAVE.
 */
async function untilSentinelCanPromote(
  sentinelPort: number,
  masterName: string,
  replicaPort: number,
  password: string | undefined,
): Promise<void> {
  const sentinel = new Redis(sentinelPort, "127.0.0.1", password ? { password } : {});
  let fields: Record<string, string>[] = [];
  try {
    await eventually(
      `the Sentinel to list the replica on port ${replicaPort} as ready`,
      async () => {
        const replicas = (await sentinel.call("SENTINEL", "REPLICAS", masterName)) as string[][];
        fields = replicas.map((flat) => Object.fromEntries(flat.flatMap((_, i) => (i % 2 === 0 ? [[flat[i]!, flat[i + 1]!]] : []))));
        return fields.some(
          (replica) => replica.port === String(replicaPort) && replica.flags === "slave" && replica["master-link-status"] === "ok",
        );
      },
      { timeoutMs: 15_000, detail: () => `the Sentinel's replicas: ${JSON.stringify(fields)}` },
    );
  } finally {
    sentinel.disconnect();
  }
}
