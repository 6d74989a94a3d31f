// A real Redis Cluster for one test file: three masters (no replicas) from redis-server on free
// ports, joined with `redis-cli --cluster create`, stopped and deleted by stop(). With a password,
// every node requires it (requirepass), as managed Redis Clusters do.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { eventually } from "./eventually.js";
import { isPortFree, spawnRedisProcess, type RedisProcess } from "./redis-process.js";

/** Each node also listens on port + 10000 for the cluster bus, so both must be free. */
const CLUSTER_BUS_OFFSET = 10_000;

export interface RunningCluster {
  nodes: { host: string; port: number }[];
  /** REDIS_CLUSTER_NODES for these nodes. */
  nodesVariable: string;
  password: string | undefined;
  stop(): Promise<void>;
}

async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.has(port) || taken.has(port + CLUSTER_BUS_OFFSET)) continue;
    if ((await isPortFree(port)) && (await isPortFree(port + CLUSTER_BUS_OFFSET))) return port;
  }
  throw new Error("no free port pair for a Redis Cluster node");
}

export async function startRedisCluster(masters = 3, password?: string): Promise<RunningCluster> {
  const auth = password ? ["--requirepass", password, "--masterauth", password] : [];
  const dir = mkdtempSync(join(tmpdir(), "gls-cluster-"));
  const processes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const taken = new Set<number>();
    for (let index = 0; index < masters; index += 1) {
      const port = await freeClusterPort(taken);
      taken.add(port).add(port + CLUSTER_BUS_OFFSET);
      const args = [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(dir, `nodes-${port}.conf`),
      ];
      processes.push(
        await spawnRedisProcess(port, [...args, ...auth, "--save", "", "--appendonly", "no", "--dir", dir], "Ready to accept connections"),
      );
    }
    const addresses = processes.map((node) => `127.0.0.1:${node.port}`);
    const cliAuth = password ? ["-a", password, "--no-auth-warning"] : [];
    await promisify(execFile)("redis-cli", [...cliAuth, "--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"]);
    await Promise.all(processes.map((node) => untilClusterStateOk(node.port, password)));
    return { nodes: processes.map((node) => ({ host: "127.0.0.1", port: node.port })), nodesVariable: addresses.join(","), password, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Slots are assigned and every node has heard of it: `cluster info` says cluster_state:ok. */
async function untilClusterStateOk(port: number, password: string | undefined): Promise<void> {
  const node = new Redis(port, "127.0.0.1", password ? { password } : {});
  try {
    await eventually(
      `Redis Cluster node ${port} to report cluster_state:ok`,
      async () => /cluster_state:ok/.test(await node.cluster("INFO")),
      { timeoutMs: 15_000 },
    );
  } finally {
    node.disconnect();
  }
}
