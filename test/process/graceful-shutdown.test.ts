// SIGTERM while a request is in flight: the built server stops accepting connections at once, lets
// the request finish with its normal answer, closes Redis and exits 0.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import express from "express";
import { createEmulator, type Emulator } from "@github-login-server/github-emulator";
import { SESSION_COOKIE } from "../support/cookies.js";
import { approveAtEmulator } from "../support/emulator-server.js";
import { within } from "../support/eventually.js";
import { holdRequests, type HeldRequests } from "../support/held-requests.js";
import { buildServer, CookieClient, productionEnvironment, runServer, type ServerProcess, waitForHealthy } from "../support/process.js";
import { freePort } from "../support/redis-server.js";
import { testRedisUrl } from "../support/stack.js";

const clientId = "Iv23liShutdownTest001";
const clientSecret = randomBytes(20).toString("hex");
let port: number;
let github: { emulator: Emulator; url: string; server: Server };
let tokenEndpoint: HeldRequests;

beforeAll(async () => {
  buildServer();
  port = await freePort();
  // The emulator behind a gate on its token endpoint: the sign-in callback waits there for as long as the test wants.
  tokenEndpoint = holdRequests("/login/oauth/access_token");
  const emulator = createEmulator({
    clients: [
      {
        clientId,
        clientSecret,
        name: "Shutdown test",
        type: "github-app",
        expiringTokens: true,
        callbackUrls: [{ url: `http://127.0.0.1:${port}/auth/github/callback`, wildcard: false }],
      },
    ],
  });
  const front = express().use(tokenEndpoint.middleware).use(emulator.app);
  const server = createServer(front);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  github = { emulator, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}, 60_000);
afterAll(async () => {
  tokenEndpoint.release();
  github.server.closeAllConnections();
  await new Promise((resolve) => github.server.close(resolve));
});

function startServer(): ServerProcess {
  return runServer({
    ...productionEnvironment({
      port,
      githubUrl: github.url,
      clientId,
      clientSecret,
      redisUrl: testRedisUrl(),
      keyPrefix: `gls-shutdown-${randomBytes(4).toString("hex")}:`,
    }),
    METRICS_TOKEN: randomBytes(16).toString("hex"),
  });
}

/** Resolves with the error code of a fresh TCP connection to the port, or "connected". */
function tryConnecting(): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

test("SIGTERM with a sign-in in flight: no new connections, the sign-in completes, exit 0", async () => {
  const server = startServer();
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHealthy(base, server);
    expect(await tryConnecting()).toBe("connected");
    const browser = new CookieClient();
    const start = await browser.fetch(`${base}/auth/github?returnTo=/after-shutdown`);
    const callbackUrl = await approveAtEmulator(start.headers.get("location")!, { login: "octocat" });

    const tokenRequestArrived = tokenEndpoint.holdNext();
    const inFlight = browser.fetch(callbackUrl.toString());
    await within("the callback's token request to reach GitHub", tokenRequestArrived); // the callback is now inside the server, waiting for GitHub

    server.child.kill("SIGTERM");
    await within('the server to log "shutting down"', server.untilOutput("shutting down"), { detail: () => server.output() });
    // The line is written once the listener has closed: from then on, no new connection gets in.
    expect(await tryConnecting()).toBe("ECONNREFUSED");
    expect(server.child.exitCode).toBeNull(); // still draining

    tokenEndpoint.release();
    const callback = await inFlight;
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/after-shutdown");
    expect(callback.headers.get("connection")).toBe("close"); // the client is told not to reuse this connection
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true);

    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"shut down"');
    expect(server.output()).not.toContain("did not finish in time");
  } finally {
    tokenEndpoint.release();
    await server.stop();
  }
});

test("SIGINT with nothing in flight: exits 0 at once", async () => {
  const server = startServer();
  try {
    await waitForHealthy(`http://127.0.0.1:${port}`, server);
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"signal":"SIGINT"');
  } finally {
    await server.stop();
  }
});
