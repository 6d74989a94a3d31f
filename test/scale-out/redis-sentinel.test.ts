// The server on Redis behind a Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME): it asks the
// Sentinel where the master is, and after a failover it follows the promoted replica, keeping the
// sessions that were replicated to it. The data nodes and the Sentinel each require a password
// (REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD).
import { Redis } from "ioredis";
import { createRedisConnection, pingRedis, whenReady } from "../../src/store/redis-client.js";
import request from "supertest";
import { eventually, within } from "../support/eventually.js";
import { startRedisSentinel, type RunningSentinel } from "../support/redis-sentinel.js";
import { sessionCookieOf, sessionEntryKeyOf } from "../support/cookies.js";
import { signIn } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

const DATA_PASSWORD = "data-test-password";
const SENTINEL_PASSWORD = "sentinel-test-password";
let topology: RunningSentinel;
let stack: TestStack;

beforeAll(async () => {
  topology = await startRedisSentinel("gls-test-master", { data: DATA_PASSWORD, sentinel: SENTINEL_PASSWORD });
  stack = await startTestStack({
    env: {
      REDIS_URL: "",
      REDIS_SENTINELS: topology.sentinelsVariable,
      REDIS_SENTINEL_NAME: topology.masterName,
      REDIS_PASSWORD: DATA_PASSWORD,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
    },
  });
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await topology?.stop();
});

async function signedInCookie(): Promise<string> {
  const { callback } = await signIn(request.agent(stack.app));
  expect(callback.status).toBe(303);
  return sessionCookieOf(callback);
}

const sessionKey = (cookie: string) => sessionEntryKeyOf(stack.keyPrefix, cookie);

/** A connection to a data node (master or replica) or to the Sentinel, with the password each requires. */
async function withNode<T>(port: number, use: (node: Redis) => Promise<T>): Promise<T> {
  const password = port === topology.sentinel.port ? SENTINEL_PASSWORD : DATA_PASSWORD;
  const node = new Redis(port, "127.0.0.1", { password });
  try {
    return await use(node);
  } finally {
    node.disconnect();
  }
}

/**
 * Subscribes to the Sentinel's announcement that the master moved (`+switch-master <name> <old ip>
 * <old port> <new ip> <new port>`), before the failover is asked for: resolves with the new port.
 */
async function nextMasterSwitch(): Promise<{ switched: Promise<number>; unsubscribe: () => void }> {
  const subscriber = new Redis(topology.sentinel.port, "127.0.0.1", { password: SENTINEL_PASSWORD });
  await subscriber.subscribe("+switch-master");
  const switched = new Promise<number>((resolve) =>
    subscriber.on("message", (_channel: string, message: string) => {
      const [name, , , , newPort] = message.split(" ");
      if (name === topology.masterName) resolve(Number(newPort));
    }),
  );
  return { switched, unsubscribe: () => subscriber.disconnect() };
}

test("the master is found through the Sentinel: sessions are written there and served by any instance", async () => {
  expect(stack.config.redis.url).toBeNull();
  await request(stack.app).get("/readyz").expect(200);
  const cookie = await signedInCookie();
  expect(await withNode(topology.master.port, (master) => master.exists(sessionKey(cookie)))).toBe(1);
  const other = await stack.anotherInstance();
  expect((await request(other).get("/api/me").set("Cookie", cookie).expect(200)).body.login).toBe("octocat");
});

test("both passwords are required: without either one, Redis cannot be reached through the Sentinel", async () => {
  for (const missing of [{ password: null }, { sentinelPassword: null }]) {
    const connection = createRedisConnection({ ...stack.config.redis, ...missing });
    connection.on("error", () => {});
    try {
      expect(await whenReady(connection, 1_500)).toBe(false);
      expect(await pingRedis(connection)).toBe(false);
    } finally {
      connection.disconnect();
    }
  }
});

test("after a failover the server follows the new master: old sessions still work, new sign-ins are written there", async () => {
  const cookie = await signedInCookie();
  // Make sure the replica has the session before it is promoted (replication is asynchronous).
  expect(await withNode(topology.master.port, (master) => master.wait(1, 5_000))).toBe(1);
  const masterSwitch = await nextMasterSwitch();
  try {
    await withNode(topology.sentinel.port, (sentinel) => sentinel.call("SENTINEL", "FAILOVER", topology.masterName));
    expect(await within("the Sentinel to announce +switch-master", masterSwitch.switched, { timeoutMs: 10_000 })).toBe(
      topology.replica.port,
    );
  } finally {
    masterSwitch.unsubscribe();
  }
  const address = (await withNode(topology.sentinel.port, (sentinel) =>
    sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", topology.masterName),
  )) as string[];
  expect(Number(address[1])).toBe(topology.replica.port);
  // Every connection of the server's instances has moved from the old master to the new one: the
  // server learns of the switch on its own schedule, with nothing a test can await.
  const serverConnections = async (port: number) =>
    withNode(
      port,
      async (node) =>
        ((await node.client("LIST")) as string).split("\n").filter((line) => line.includes("name=github-login-server ")).length,
    );
  await eventually(
    "the server's connections to move to the promoted replica",
    async () => (await serverConnections(topology.master.port)) === 0 && (await serverConnections(topology.replica.port)) >= 2,
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  expect((await request(stack.app).get("/api/me").set("Cookie", cookie).expect(200)).body.login).toBe("octocat");
  const newCookie = await signedInCookie();
  expect(await withNode(topology.replica.port, (promoted) => promoted.exists(sessionKey(newCookie)))).toBe(1);
});
