// The figures docs/operating.md's Capacity section sizes deployments with, measured on a server process
// (node dist/server.js, production) with a Redis of its own: Redis memory per signed-in user, and
// Redis commands per request on the read paths (INFO commandstats around a known number of requests).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import type { EmulatorUser } from "@github-login-server/github-emulator";
import { approveAtEmulator, startEmulator, type RunningEmulator } from "../support/emulator-server.js";
import { buildServer, CookieClient, productionEnvironment, runServer, waitForHealthy, type ServerProcess } from "../support/process.js";
import { freePort, startRedisServer, stopRedisServer } from "../support/redis-server.js";

const USERS = 200;
const REQUESTS = 400;
const note = (line: string) => process.stderr.write(`capacity: ${line}\n`);

let redisServer: Awaited<ReturnType<typeof startRedisServer>>;
let redis: Redis;
let emulator: RunningEmulator;
let server: ServerProcess;
let base: string;
const cookies: CookieClient[] = [];

function users(count: number): EmulatorUser[] {
  return Array.from({ length: count }, (_, index) => {
    const n = String(index + 1).padStart(4, "0");
    return {
      id: 30_000_000 + index,
      login: `capacity-user-${n}`,
      name: `Capacity User ${n}`,
      email: `capacity-user-${n}@example.com`,
      company: "@github",
      location: "San Francisco",
      bio: null,
      createdAt: "2011-01-25T18:44:36Z",
      emails: [{ email: `capacity-user-${n}@example.com`, primary: true, verified: true, visibility: "public" }],
      orgs: ["github"],
    } as EmulatorUser;
  });
}

async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info("memory"))![1]);
}

interface Commands {
  /** Commands the server sent (round trips, as far as they are not pipelined), by name. */
  sent: Record<string, number>;
  /** Commands the server's scripts ran inside Redis, by name. */
  inScripts: Record<string, number>;
}

/** Every command Redis runs while `action` runs, from MONITOR. */
async function commandsDuring(action: () => Promise<void>): Promise<Commands> {
  const monitor = await redis.monitor();
  const commands: Commands = { sent: {}, inScripts: {} };
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    const bucket = source === "lua" ? commands.inScripts : commands.sent;
    const name = String(args[0]).toLowerCase();
    bucket[name] = (bucket[name] ?? 0) + 1;
  });
  await action();
  await new Promise((resolve) => setTimeout(resolve, 200));
  monitor.disconnect();
  return commands;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, calls) => sum + calls, 0);

beforeAll(async () => {
  buildServer();
  redisServer = await startRedisServer();
  redis = new Redis(redisServer.url);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const clientId = "Iv23liCapacityTest001";
  const clientSecret = randomBytes(20).toString("hex");
  emulator = await startEmulator({
    clients: [
      {
        clientId,
        clientSecret,
        name: "Capacity",
        type: "github-app",
        expiringTokens: true,
        callbackUrls: [{ url: `${base}/auth/github/callback`, wildcard: false }],
      },
    ],
    users: users(USERS + 11),
    rateLimitPerHour: 1_000_000,
  });
  server = runServer({
    ...productionEnvironment({ port, githubUrl: emulator.url, clientId, clientSecret, redisUrl: redisServer.url, keyPrefix: "gls:" }),
    AUTH_RATE_LIMIT: "100000/1m",
    LOG_LEVEL: "warn",
  });
  await waitForHealthy(base, server);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  redis?.disconnect();
  await emulator?.close();
  if (redisServer) await stopRedisServer(redisServer);
});

test(`Redis holds about 1.3 kB per signed-in user (all keys, ${USERS} users)`, async () => {
  // One sign-in first, so Redis's own structures for the key space exist before the measurement.
  const warm = new CookieClient();
  await warm
    .fetch(`${base}/auth/github`)
    .then(async (start) =>
      warm.fetch((await approveAtEmulator(start.headers.get("location")!, { login: users(USERS + 11).at(-1)!.login })).toString()),
    );
  const keysBefore = await redis.dbsize();
  const before = await usedMemory();
  for (let index = 0; index < USERS; index += 10) {
    await Promise.all(
      users(USERS)
        .slice(index, index + 10)
        .map(async (user) => {
          const browser = new CookieClient();
          const start = await browser.fetch(`${base}/auth/github`);
          const callback = await browser.fetch((await approveAtEmulator(start.headers.get("location")!, { login: user.login })).toString());
          expect(callback.status).toBe(303);
          cookies.push(browser);
        }),
    );
  }
  const perUser = ((await usedMemory()) - before) / USERS;
  const keysPerUser = ((await redis.dbsize()) - keysBefore) / USERS;
  // Ten more sign-ins under MONITOR (whose own buffers would have skewed the memory figure).
  const signIns = await commandsDuring(async () => {
    await Promise.all(
      users(USERS + 10)
        .slice(USERS)
        .map(async (user) => {
          const browser = new CookieClient();
          const start = await browser.fetch(`${base}/auth/github`);
          expect(
            (await browser.fetch((await approveAtEmulator(start.headers.get("location")!, { login: user.login })).toString())).status,
          ).toBe(303);
        }),
    );
  });
  note(
    `${perUser.toFixed(0)} bytes of used_memory and ${keysPerUser.toFixed(2)} keys per signed-in user; ${(total(signIns.sent) / 10).toFixed(1)} Redis commands sent per sign-in ${JSON.stringify(signIns.sent)}`,
  );
  expect(keysPerUser).toBeGreaterThanOrEqual(2);
  expect(perUser).toBeLessThan(2_000);
}, 120_000);

test.each([
  ["/auth/check", 204],
  ["/api/me", 200],
])(
  `GET %s sends Redis one command (a script) per request (${REQUESTS} requests over the signed-in users)`,
  async (path, status) => {
    // One round first, so no session is due a write (an expiry to slide) during the measurement.
    for (const browser of cookies) expect((await browser.fetch(`${base}${path}`)).status).toBe(status);
    const commands = await commandsDuring(async () => {
      for (let index = 0; index < REQUESTS; index += 20) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, offset) => {
            const response = await cookies[(index + offset) % cookies.length]!.fetch(`${base}${path}`);
            expect(response.status).toBe(status);
            await response.arrayBuffer();
          }),
        );
      }
    });
    const perRequest = total(commands.sent) / REQUESTS;
    note(
      `GET ${path}: ${perRequest.toFixed(2)} Redis commands sent per request ${JSON.stringify(commands.sent)}, running ${JSON.stringify(commands.inScripts)} inside`,
    );
    // One script (the entry and its TTL together); a write only when an expiry slides a step.
    expect(perRequest).toBeLessThanOrEqual(1.05);
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, "utf8"));
    if (rss) note(`server process resident memory ${(Number(rss[1]) / 1024).toFixed(0)} MiB after ${USERS} sign-ins`);
  },
  60_000,
);
