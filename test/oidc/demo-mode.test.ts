// Demo mode (SPEC §1, §9): with nothing configured the server is an OpenID Connect provider too,
// with a key made for the process and one public client, its state in this process's memory (no
// Redis), so the flow can be tried with no set-up. Built as server.ts builds it, listening on a real
// port (demo mode's GitHub is the emulator mounted on the server itself), driven by openid-client.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEmulator, demoClient } from "@github-login-server/github-emulator";
import { createApp } from "../../src/app.js";
import { systemClock } from "../../src/clock.js";
import { DEMO_OIDC_CLIENT_ID } from "../../src/config/oidc-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/logger.js";
import { buildServices } from "../../src/services.js";
import { memoryBackend } from "../../src/store/backend.js";
import { client, newBrowser, redirectOf, startAuthorization, walk } from "../support/oidc-stack.js";

let server: Server;
let origin: string;
beforeAll(async () => {
  // A free port first: demo mode's URLs (PUBLIC_URL, the emulator's) are built from PORT.
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const loaded = loadConfig({ PORT: String(port), LOG_LEVEL: "silent", AUTH_RATE_LIMIT: "1000/1m" });
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  const { config } = loaded;
  const services = buildServices(config, { storage: memoryBackend(systemClock), clock: systemClock, logger: createLogger("silent") });
  const emulatorApp = createEmulator({ clients: [demoClient(config.callbackUrl, config.github)], webBaseUrl: config.github.baseUrl }).app;
  server = createServer(createApp(services, { emulatorApp })).listen(port, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  origin = config.publicUrl;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

test("the demo client signs in with PKCE and refreshes, with nothing configured and no Redis", async () => {
  const rp = await client.discovery(new URL(origin), DEMO_OIDC_CLIENT_ID, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const started = await startAuthorization(rp);
  const browser = newBrowser(origin);
  const back = redirectOf(await walk(browser, started.url.toString(), "monalisa", origin));
  const tokens = await client.authorizationCodeGrant(rp, back, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
  });
  expect(tokens.claims()).toMatchObject({
    sub: "1000001",
    preferred_username: "monalisa",
    email: "mona@example.com",
    email_verified: true,
  });
  const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
  expect(refreshed.claims()!.sub).toBe("1000001");
});
