// What a forward-auth test through a real proxy needs besides the proxy: the emulator, this server
// (PUBLIC_URL is the proxy's origin, TRUST_PROXY=loopback unless told otherwise) and an application
// that records what it received, each on a free loopback port, and a browser's walk through the
// sign-in via the proxy. What reached this server is recorded too (its host and X-Forwarded-*
// headers), so a test can see exactly what the proxy passed on.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../src/app.js";
import { buildServices } from "../../src/services.js";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Config } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { redisBackend } from "../../src/store/backend.js";
import { createRedisConnection, whenReady, type RedisConnection } from "../../src/store/redis-client.js";
import { approveAtEmulator, startEmulator, type RunningEmulator } from "../support/emulator-server.js";
import { CookieClient } from "../support/process.js";
import { SESSION_COOKIE, sessionEntryKeyOf } from "../support/cookies.js";
import { freePort } from "../support/redis-server.js";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, testEnvironment, testRedisUrl } from "../support/stack.js";

export interface ForwardAuthStack {
  /** The proxy's origin, which browsers use: http://127.0.0.1:<proxyPort>. */
  base: string;
  proxyPort: number;
  loginPort: number;
  applicationPort: number;
  emulator: RunningEmulator;
  redis: RedisConnection;
  config: Config;
  /** What the application received, in order: path and headers. */
  received: { path: string; headers: IncomingHttpHeaders }[];
  /** What this server (the login server) received from the proxy, in order: path and headers. */
  loginReceived: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * `protectedHosts`: PROTECTED_HOSTS, with `{port}` for the proxy's port (a many-host set-up: the
 * base is then the login host's origin, and the protected hosts are other loopback addresses).
 * `trustProxy`: TRUST_PROXY, `loopback` by default.
 */
export async function startForwardAuthStack(
  name: string,
  options: { protectedHosts?: string; trustProxy?: string } = {},
): Promise<ForwardAuthStack> {
  // The proxy's port goes into PUBLIC_URL before anything listens; the others are taken by listening.
  const proxyPort = await freePort();
  const base = `http://127.0.0.1:${proxyPort}`;
  const emulator = await startEmulator({
    clients: [
      {
        clientId: TEST_CLIENT_ID,
        clientSecret: TEST_CLIENT_SECRET,
        name: "Forward auth",
        type: "github-app",
        expiringTokens: true,
        callbackUrls: [{ url: `${base}/auth/github/callback`, wildcard: false }],
      },
    ],
  });
  const loaded = loadConfig({
    ...testEnvironment(emulator.url, `gls-${name}-${randomBytes(4).toString("hex")}:`, testRedisUrl()),
    PUBLIC_URL: base,
    TRUST_PROXY: options.trustProxy ?? "loopback",
    ...(options.protectedHosts ? { PROTECTED_HOSTS: options.protectedHosts.replaceAll("{port}", String(proxyPort)) } : {}),
  });
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  const config = loaded.config;
  const redis = createRedisConnection(config.redis);
  await whenReady(redis, 5_000);
  const app = createApp(
    buildServices(config, {
      clock: systemClock,
      logger: createLogger("silent"),
      storage: redisBackend(redis, config.redis.keyPrefix, systemClock),
    }),
  );
  const loginReceived: ForwardAuthStack["loginReceived"] = [];
  const loginServer = await listen((request, response) => {
    loginReceived.push({ path: request.url ?? "", headers: { ...request.headers } });
    app(request, response);
  });
  const received: ForwardAuthStack["received"] = [];
  const application = await listen((request, response) => {
    received.push({ path: request.url ?? "", headers: request.headers });
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify({ application: true, user: request.headers["x-auth-request-user"] ?? null }));
  });
  const [loginPort, applicationPort] = [portOf(loginServer), portOf(application)];
  const close = async () => {
    await closeServer(application);
    await closeServer(loginServer);
    redis.disconnect();
    await emulator.close();
  };
  return { base, proxyPort, loginPort, applicationPort, emulator, redis, config, received, loginReceived, close };
}

/** A redirect's target on the proxy's origin, as path and query (proxies may make redirects absolute). */
export function redirectTarget(answer: Response, base: string): string {
  const target = new URL(answer.headers.get("location")!, base);
  expect(target.origin).toBe(base);
  return `${target.pathname}${target.search}`;
}

/** Asks for `page` signed out, follows the sign-in it is sent to, approves as `login`: the callback's answer. */
export async function signInThroughProxy(browser: CookieClient, base: string, page: string, login = "octocat") {
  const first = await browser.fetch(`${base}${page}`);
  expect(first.status).toBe(302);
  const signInPath = redirectTarget(first, base);
  const start = await browser.fetch(new URL(signInPath, base).toString());
  expect(start.status).toBe(302);
  const callbackUrl = await approveAtEmulator(start.headers.get("location")!, { login });
  expect(callbackUrl.origin).toBe(base);
  const callback = await browser.fetch(callbackUrl.toString());
  expect(callback.status).toBe(303);
  return { signInPath, landing: callback.headers.get("location")! };
}

/** Listens on a port of the system's choosing on 127.0.0.1 (no port picked earlier that another process could take meanwhile). */
function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Sign-out through the proxy: the next request to the application is sent to sign-in again. */
export async function expectSignOutThroughProxy(base: string): Promise<void> {
  const browser = new CookieClient();
  await signInThroughProxy(browser, base, "/");
  expect((await browser.fetch(`${base}/`)).status).toBe(200);
  const signOut = await browser.fetch(`${base}/auth/logout`, { method: "POST", headers: { Origin: base } });
  expect(signOut.status).toBe(303);
  // Where sign-out lands: on this one host "/" is the application, so the check sends the browser
  // to the login server's signed-out page under /auth/, never into a new sign-in.
  const landing = redirectTarget(signOut, base);
  expect(landing).toBe("/?signed_out=1");
  const landed = await browser.fetch(`${base}${landing}`);
  expect([landed.status, redirectTarget(landed, base)]).toEqual([302, "/auth/signed-out"]);
  const page = await browser.fetch(`${base}/auth/signed-out`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("You are signed out");
  const after = await browser.fetch(`${base}/`);
  expect(after.status).toBe(302);
  expect(redirectTarget(after, base)).toBe("/auth/github?returnTo=/");
}

/** When the check slides the session's expiry it renews the cookie, and the proxy hands that to the browser. */
export async function expectRenewedCookieHandedOn(stack: ForwardAuthStack): Promise<void> {
  const { base } = stack;
  const browser = new CookieClient();
  await signInThroughProxy(browser, base, "/");
  const sessionCookie = (cookies: string[]) => cookies.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`) && /Expires=/.test(cookie));
  // Just signed in: the expiry is where it belongs, so the check renews nothing and no cookie is sent.
  const fresh = await browser.fetch(`${base}/`);
  expect(fresh.status).toBe(200);
  expect(fresh.headers.getSetCookie()).toEqual([]);
  // Ten minutes later (the entry's TTL says so), the check slides the expiry and the proxy passes the cookie on.
  const signedIn = browser.cookies.get(SESSION_COOKIE)!;
  const entryKey = sessionEntryKeyOf(stack.config.redis.keyPrefix, signedIn);
  expect(await stack.redis.pexpire(entryKey, 24 * 3_600_000 - 10 * 60_000)).toBe(1);
  const later = await browser.fetch(`${base}/`);
  expect(later.status).toBe(200);
  expect(sessionCookie(later.headers.getSetCookie())?.split(";")[0]).toBe(`${SESSION_COOKIE}=${signedIn}`); // the same session, renewed
  expect(await stack.redis.pttl(entryKey)).toBeGreaterThan(24 * 3_600_000 - 60_000);
}
