// This server as the OpenID Connect provider of real relying parties (Apache's mod_auth_openidc,
// kubectl): the real app on real Redis, talking to a GitHub emulator over HTTP, served on a loopback
// port that is its issuer (PUBLIC_URL). In front of it a recording pass-through on that port keeps
// what each call to the token endpoint asked for (its grant_type) and what it was answered (status
// and error code), so a test can say "kubectl refreshed exactly once, and was then refused with
// invalid_grant" from what crossed the wire, not from the server's own account of it.
import { randomBytes } from "node:crypto";
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../src/app.js";
import type { Clock } from "../../src/clock.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Config } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { buildServices } from "../../src/services.js";
import { redisBackend } from "../../src/store/backend.js";
import { createRedisConnection, whenReady } from "../../src/store/redis-client.js";
import { startEmulator, type RunningEmulator } from "../support/emulator-server.js";
import { freePort } from "../support/redis-server.js";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, testEnvironment, testRedisUrl } from "../support/stack.js";

/** One call to the token endpoint as it crossed the wire. */
export interface TokenCall {
  grantType: string;
  status: number;
  /** The OAuth error code of a refused call (`invalid_grant`), else undefined. */
  error?: string;
}

export interface ProviderStack {
  /** The issuer: PUBLIC_URL, http://127.0.0.1:<port>. */
  issuer: string;
  emulator: RunningEmulator;
  config: Config;
  tokenCalls: TokenCall[];
  /** Every log line the server wrote. */
  logs: string[];
  close(): Promise<void>;
}

export interface ProviderStackOptions {
  /** OIDC_CLIENTS, made once the issuer's origin is known (redirect URIs may name other loopback ports). */
  clients: (issuer: string) => unknown[];
  /** OIDC_SIGNING_KEYS as JSON text. */
  signingKeys: string;
  /** More variables (PROFILE_MAX_AGE, …). */
  env?: Record<string, string>;
  clock: Clock;
}

export async function startProviderStack(options: ProviderStackOptions): Promise<ProviderStack> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const emulator = await startEmulator({
    clients: [
      {
        clientId: TEST_CLIENT_ID,
        clientSecret: TEST_CLIENT_SECRET,
        name: "OIDC provider",
        type: "github-app",
        expiringTokens: true,
        callbackUrls: [{ url: `${issuer}/auth/github/callback`, wildcard: false }],
      },
    ],
    clock: options.clock,
  });
  const loaded = loadConfig({
    ...testEnvironment(emulator.url, `gls-oidc-rp-${randomBytes(4).toString("hex")}:`, testRedisUrl()),
    PUBLIC_URL: issuer,
    OIDC_CLIENTS: JSON.stringify(options.clients(issuer)),
    OIDC_SIGNING_KEYS: options.signingKeys,
    ...options.env,
  });
  if (!loaded.ok) throw new Error(`OIDC test configuration is invalid: ${loaded.errors.join("; ")}`);
  const config = loaded.config;
  const redis = createRedisConnection(config.redis);
  await whenReady(redis, 5_000);
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const app = createApp(
    buildServices(config, { clock: options.clock, logger, storage: redisBackend(redis, config.redis.keyPrefix, options.clock) }),
  );
  const appServer = await listen(0, (request, response) => app(request, response));
  const tokenCalls: TokenCall[] = [];
  const front = await listen(port, (request, response) => passOn(request, response, portOf(appServer), tokenCalls));
  return {
    issuer,
    emulator,
    config,
    tokenCalls,
    logs,
    async close() {
      await closeServer(front);
      await closeServer(appServer);
      redis.disconnect();
      await emulator.close();
    },
  };
}

/**
 * Sends the request on to the app unchanged (its Host is the issuer's, as the browser sent it) and
 * its answer back; for the token endpoint, records the grant asked for and the answer's status and
 * error. Only the token endpoint's small bodies are read whole.
 */
function passOn(
  request: import("node:http").IncomingMessage,
  response: import("node:http").ServerResponse,
  appPort: number,
  tokenCalls: TokenCall[],
): void {
  const recorded = request.method === "POST" && new URL(request.url ?? "/", "http://x").pathname === "/oidc/token";
  // Recorded once the request's body is read; its answer fills in the rest.
  const call: TokenCall = { grantType: "", status: 0 };
  const upstream = forward(
    { host: "127.0.0.1", port: appPort, method: request.method, path: request.url, headers: request.headers },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      if (!recorded) {
        answer.pipe(response);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.on("end", () => {
        const body = Buffer.concat(chunks);
        call.status = answer.statusCode ?? 0;
        if (call.status >= 400) call.error = errorCodeOf(body.toString("utf8"));
        response.end(body);
      });
    },
  );
  upstream.on("error", () => response.destroy());
  if (!recorded) {
    request.pipe(upstream);
    return;
  }
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks);
    call.grantType = new URLSearchParams(body.toString("utf8")).get("grant_type") ?? "";
    tokenCalls.push(call);
    upstream.end(body);
  });
}

function errorCodeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === "string" ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** Listens on 127.0.0.1:`port` (0: a port of the system's choosing). */
function listen(port: number, handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
