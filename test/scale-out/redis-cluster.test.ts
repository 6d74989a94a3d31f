// The server on a real Redis Cluster (REDIS_CLUSTER_NODES): three masters started from redis-server
// for this file, each requiring a password (REDIS_PASSWORD). Sign-in, one refresh under the lock for
// concurrent requests on two instances, and sign-out everywhere all work although their keys live in
// different slots on different nodes.
import { Cluster } from "ioredis";
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { createRedisConnection, pingRedis, whenReady } from "../../src/store/redis-client.js";
import { startRedisCluster, type RunningCluster } from "../support/redis-cluster.js";
import { sessionCookieOf, sessionEntryKeyOf } from "../support/cookies.js";
import { signIn } from "../support/sign-in.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const HOURS = 3_600_000;
const PASSWORD = "cluster-test-password";
const clock = new ManualClock(Date.now());
let cluster: RunningCluster;
let stack: TestStack;
let inspect: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3, PASSWORD);
  // REDIS_URL emptied: the server reaches Redis only through the Cluster.
  stack = await startTestStack({ clock, env: { REDIS_URL: "", REDIS_CLUSTER_NODES: cluster.nodesVariable, REDIS_PASSWORD: PASSWORD } });
  inspect = new Cluster(cluster.nodes, { redisOptions: { password: PASSWORD } });
}, 30_000);
afterAll(async () => {
  inspect?.disconnect();
  await stack?.close();
  await cluster?.stop();
});

async function signedInCookie(login = "octocat"): Promise<string> {
  const { callback } = await signIn(request.agent(stack.app), { login });
  expect(callback.status).toBe(303);
  return sessionCookieOf(callback);
}

/** This stack's keys on each master, by port. */
async function keysByNode(): Promise<Map<number, string[]>> {
  const byNode = new Map<number, string[]>();
  for (const node of inspect.nodes("master")) byNode.set(node.options.port!, await node.keys(`${stack.keyPrefix}*`));
  return byNode;
}

test("the configuration reaches Redis only through the Cluster, and /readyz says ready", async () => {
  expect(stack.config.redis.url).toBeNull();
  expect(stack.config.redis.clusterNodes).toHaveLength(3);
  await request(stack.app).get("/readyz").expect(200);
});

test("the nodes require the password: without REDIS_PASSWORD, or with a wrong one, Redis does not answer", async () => {
  for (const password of [null, "wrong-password"]) {
    const connection = createRedisConnection({ ...stack.config.redis, password });
    connection.on("error", () => {});
    try {
      expect(await pingRedis(connection)).toBe(false);
    } finally {
      connection.disconnect();
    }
  }
  const withPassword = createRedisConnection(stack.config.redis);
  try {
    await whenReady(withPassword, 5_000);
    expect(await pingRedis(withPassword)).toBe(true);
  } finally {
    withPassword.disconnect();
  }
});

test("sign-in on one instance; another instance serves the same session", async () => {
  const cookie = await signedInCookie();
  const other = await stack.anotherInstance();
  expect((await request(other).get("/api/me").set("Cookie", cookie).expect(200)).body.login).toBe("octocat");
  expect((await request(other).get("/api/session").set("Cookie", cookie).expect(200)).body.user.login).toBe("octocat");
  await request(other).get("/auth/check").set("Cookie", cookie).expect(204);
});

test("the keys are spread over the masters (so the steps above crossed nodes)", async () => {
  for (const login of ["monalisa", "octocat", "monalisa"]) await signedInCookie(login);
  const byNode = await keysByNode();
  const nodesWithKeys = [...byNode.values()].filter((keys) => keys.length > 0);
  expect([...byNode.values()].flat().filter((key) => key.startsWith(`${stack.keyPrefix}sess:`)).length).toBeGreaterThanOrEqual(4);
  expect(nodesWithKeys.length).toBeGreaterThanOrEqual(2);
});

test("concurrent requests on an expired token over two instances: one refresh under the lock, all succeed", async () => {
  const cookie = await signedInCookie();
  const instances = [stack.app, await stack.anotherInstance()];
  clock.advance(9 * HOURS);
  stack.emulator.emulator.resetStats();
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, index) =>
      request(instances[index % 2]!)
        .get("/api/github/user")
        .set("Cookie", cookie),
    ),
  );
  expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200));
  await stack.settled(); // the revalidation these requests started, and its lease, are done too
  expect(stack.emulator.emulator.stats.refreshes).toBe(1);
  expect(stack.emulator.emulator.stats.refreshTokenReuses).toBe(0);
  // The lease was released: nothing of the lock is left in any node.
  expect([...(await keysByNode()).values()].flat().filter((key) => key.includes(":lock:"))).toEqual([]);
});

test("sign out everywhere ends every session of the user, wherever their keys live", async () => {
  const cookies = [await signedInCookie("monalisa"), await signedInCookie("monalisa"), await signedInCookie("monalisa")];
  const bystander = await signedInCookie("octocat");
  const other = await stack.anotherInstance();
  for (const cookie of cookies) await request(other).get("/api/me").set("Cookie", cookie).expect(200);

  await request(stack.app).post("/auth/logout?everywhere=1").set("Cookie", cookies[0]!).set("Origin", TEST_PUBLIC_URL).expect(303);

  for (const cookie of cookies) {
    await request(stack.app).get("/api/me").set("Cookie", cookie).expect(401);
    await request(other).get("/api/me").set("Cookie", cookie).expect(401);
  }
  await request(other).get("/api/me").set("Cookie", bystander).expect(200);
  const remaining = [...(await keysByNode()).values()].flat();
  for (const cookie of cookies) expect(remaining).not.toContain(sessionEntryKeyOf(stack.keyPrefix, cookie));
});
