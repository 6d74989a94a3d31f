// Anonymous requests are bounded (SPEC §5): device sign-in starts per client address and in all
// (GitHub hands out 50 device codes an hour per app, to every instance together), device polls per
// address; and sign-out is never limited (SPEC §3). Addresses come from X-Forwarded-For under
// TRUST_PROXY, and GitHub's side is counted at a front the stack's GitHub calls pass through.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import {
  DEVICE_POLLS_PER_ADDRESS,
  DEVICE_STARTS_IN_ALL_PER_HOUR,
  DEVICE_STARTS_PER_ADDRESS_PER_HOUR,
} from "../../src/http/device-limits.js";
import { sessionEntryKeyOf } from "../support/cookies.js";
import { DEVICE_GRANT } from "../support/device.js";
import { signedInBrowser } from "../support/sign-in.js";
import { storeCommandsDuring } from "../support/store-commands.js";
import { startTestStack, TEST_PUBLIC_URL, type App, type TestStack } from "../support/stack.js";

const HOUR_SECONDS = 3600;

/** What reached GitHub: device codes asked for, and device-grant polls. */
interface GitHubCounts {
  deviceCodes: number;
  devicePolls: number;
}

/** A stack whose GitHub calls pass a counting front on their way to its emulator. */
async function countedStack(env: Record<string, string>): Promise<{ stack: TestStack; counts: GitHubCounts; close(): Promise<void> }> {
  const counts: GitHubCounts = { deviceCodes: 0, devicePolls: 0 };
  const front = express()
    .use(express.urlencoded({ extended: false }), express.json())
    .use((incoming, _response, next) => {
      if (incoming.method === "POST" && incoming.path === "/login/device/code") counts.deviceCodes += 1;
      if (incoming.method === "POST" && incoming.path === "/login/oauth/access_token" && incoming.body?.grant_type === DEVICE_GRANT)
        counts.devicePolls += 1;
      next();
    })
    // The stack is there by the time it calls GitHub.
    .use((incoming, response, next) => stack.emulator.emulator.app(incoming, response, next));
  const server = await listening(front);
  const stack = await startTestStack({
    clock: new ManualClock(Date.now()),
    env: { GITHUB_BASE_URL: server.url, GITHUB_API_URL: `${server.url}/api/v3`, ...env },
  });
  return {
    stack,
    counts,
    async close() {
      await stack.close();
      await server.close();
    },
  };
}

async function listening(app: App): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const DEVICE_ENV = { DEVICE_FLOW: "true", TRUST_PROXY: "true" };
const startFrom = (app: App, address: string) => request(app).post("/auth/device").set("X-Forwarded-For", address);

function expectTooManyStarts(answer: request.Response): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual({ error: "too_many_requests", error_description: expect.any(String), message: expect.any(String) });
  const retryAfter = Number(answer.headers["retry-after"]);
  // A rolling hour: room again when the oldest start counted is an hour old.
  expect(retryAfter).toBeGreaterThan(HOUR_SECONDS - 60);
  expect(retryAfter).toBeLessThanOrEqual(HOUR_SECONDS);
  expect(answer.headers["cache-control"]).toMatch(/no-store/);
}

describe("POST /auth/device (each one spends one of GitHub's device codes)", () => {
  test("per address: an office's busy morning of 20 programs fits, the 26th start in an hour is 429 before GitHub is asked; another address still starts", async () => {
    expect(DEVICE_STARTS_PER_ADDRESS_PER_HOUR).toBe(25);
    const { stack, counts, close } = await countedStack(DEVICE_ENV);
    try {
      const other = await stack.anotherInstance();
      for (let index = 0; index < 25; index += 1) {
        await startFrom(index % 2 ? other : stack.app, "203.0.113.7").expect(200);
      }
      const refused = await startFrom(stack.app, "203.0.113.7");
      expectTooManyStarts(refused);
      expect(refused.body.message).toContain("your address");
      expect(counts.deviceCodes).toBe(25);
      await startFrom(other, "198.51.100.1").expect(200);
      expect(counts.deviceCodes).toBe(26);
    } finally {
      await close();
    }
  });

  test("in all: 45 starts an hour from any number of addresses and instances, then 429 for everyone until the oldest is an hour old", async () => {
    expect(DEVICE_STARTS_IN_ALL_PER_HOUR).toBe(45);
    const { stack, counts, close } = await countedStack(DEVICE_ENV);
    try {
      const other = await stack.anotherInstance();
      for (let index = 0; index < 45; index += 1) {
        await startFrom(index % 2 ? other : stack.app, `10.0.${Math.floor(index / 10)}.${index % 10}`).expect(200);
      }
      const refused = await startFrom(other, "192.0.2.200");
      expectTooManyStarts(refused);
      expect(refused.body.message).toContain("as many device sign-ins as GitHub allows");
      expect(counts.deviceCodes).toBe(45); // below GitHub's 50: GitHub never had to refuse
    } finally {
      await close();
    }
  });

  test("an IPv6 client is one address for its whole /56, however many addresses of it it uses", async () => {
    const { stack, counts, close } = await countedStack(DEVICE_ENV);
    try {
      for (let index = 1; index <= 25; index += 1) await startFrom(stack.app, `2001:db8:1:${index.toString(16)}::${index}`).expect(200);
      expectTooManyStarts(await startFrom(stack.app, "2001:db8:1:ff:abcd::1"));
      await startFrom(stack.app, "2001:db8:2::1").expect(200);
      expect(counts.deviceCodes).toBe(26);
    } finally {
      await close();
    }
  });
});

describe("POST /auth/device/token", () => {
  test("a flood of polls from one address: past 50 per 5 s it is slow_down with 429 and Retry-After, never reaching the store's locks or GitHub; another address keeps polling", async () => {
    expect(DEVICE_POLLS_PER_ADDRESS).toEqual({ points: 50, durationMs: 5_000 });
    const { stack, counts, close } = await countedStack(DEVICE_ENV);
    const served = await listening(stack.app);
    try {
      const started = await startFrom(stack.app, "198.51.100.1").expect(200);
      const poll = (address: string) =>
        request(served.url)
          .post("/auth/device/token")
          .set("X-Forwarded-For", address)
          .type("form")
          .send({ grant_type: DEVICE_GRANT, device_code: started.body.device_code });
      let flood: request.Response[] = [];
      const commands = await storeCommandsDuring(stack, async () => {
        flood = await Promise.all(Array.from({ length: 300 }, () => poll("203.0.113.9")));
      });
      // Only the polls let through took the code's lock.
      const lockTakes = commands.filter(([command, key]) => command!.toLowerCase() === "set" && key!.includes(":lock:device:")).length;
      expect(lockTakes).toBeGreaterThan(0);
      expect(lockTakes).toBeLessThanOrEqual(50);
      const refused = flood.filter((answer) => answer.status === 429);
      expect(flood.length - refused.length).toBeLessThanOrEqual(50);
      expect(refused.length).toBeGreaterThanOrEqual(250);
      for (const answer of refused) {
        const retryAfter = Number(answer.headers["retry-after"]);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(5);
        expect(answer.body).toEqual({
          error: "slow_down",
          error_description: expect.any(String),
          message: expect.any(String),
          interval: retryAfter + 5,
        });
      }
      expect(counts.devicePolls).toBe(0); // GitHub's interval since the code request has not passed
      const neighbour = await poll("198.51.100.1");
      expect(neighbour.status).toBe(400);
      expect(["authorization_pending", "slow_down"]).toContain(neighbour.body.error);
    } finally {
      await served.close();
      await close();
    }
  });
});

describe("POST /auth/logout", () => {
  test("never rate limited: with the address's sign-in budget spent, sign-out still answers 303 and the session is gone from Redis", async () => {
    const stack = await startTestStack({ env: { AUTH_RATE_LIMIT: "4/1m" } });
    try {
      const { agent, cookie } = await signedInBrowser(stack.app); // the start and the callback: 2 of 4
      let spent = 0;
      while ((await request(stack.app).get("/auth/github")).status !== 429) spent += 1;
      expect(spent).toBe(2);
      await agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
      expect(await stack.redis.exists(sessionEntryKeyOf(stack.keyPrefix, cookie))).toBe(0);
      await request(stack.app).get("/api/me").set("Cookie", cookie).expect(401);
    } finally {
      await stack.close();
    }
  });
});
