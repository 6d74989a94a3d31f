// A standard device-flow client from npm, unchanged, signs in against this server (SPEC §8): the
// proof that /auth/device and /auth/device/token speak RFC 8628 and RFC 6749 as clients expect.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as oauth from "oauth4webapi";
import { ManualClock } from "../../src/clock.js";
import { startTestStack, type TestStack } from "../support/stack.js";

let clock: ManualClock;
let stack: TestStack;
let server: Server;
let url: string;

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  stack = await startTestStack({ clock, env: { DEVICE_FLOW: "true" } });
  server = createServer(stack.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stack.close();
});

/** A device sign-in started by oauth4webapi, and its poll, exactly as the library makes them. */
async function startedByStandardClient() {
  const as: oauth.AuthorizationServer = {
    issuer: url,
    device_authorization_endpoint: `${url}/auth/device`,
    token_endpoint: `${url}/auth/device/token`,
  };
  const client: oauth.Client = { client_id: "my-cli" };
  const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is plain http on loopback

  const authorization = await oauth.processDeviceAuthorizationResponse(
    as,
    client,
    await oauth.deviceAuthorizationRequest(as, client, oauth.None(), new URLSearchParams(), insecure),
  );
  const poll = async () =>
    oauth.processDeviceCodeResponse(
      as,
      client,
      await oauth.deviceCodeGrantRequest(as, client, oauth.None(), authorization.device_code, insecure),
    );
  return { authorization, poll };
}

test("oauth4webapi's device authorization grant gets a session token, which then calls /api/me", async () => {
  const { authorization, poll } = await startedByStandardClient();
  expect(authorization).toMatchObject({
    user_code: expect.any(String),
    verification_uri: expect.stringContaining("/login/device"),
    interval: 5,
  });

  clock.advance(authorization.interval! * 1000);
  await expect(poll()).rejects.toMatchObject({ error: "authorization_pending" });
  // Too soon: the standard client is told slow_down, as RFC 8628 §3.5 says.
  await expect(poll()).rejects.toMatchObject({ error: "slow_down" });

  stack.emulator.emulator.approveDevice(authorization.user_code, "octocat");
  clock.advance(10_000);
  const tokens = await poll();
  expect(tokens.token_type).toBe("bearer");
  expect(tokens.access_token).toMatch(/^gls_/);
  expect(tokens.expires_in).toBe(86400);

  const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(me.status).toBe(200);
  expect(((await me.json()) as { login: string }).login).toBe("octocat");
});

test("polls over the address's budget (a neighbour's flood) reach a standard client as slow_down, which it backs off from, not as a failure", async () => {
  const { authorization, poll } = await startedByStandardClient();
  clock.advance(authorization.interval! * 1000);
  // Someone else at this address floods the endpoint with polls of codes that do not exist.
  const flood = Array.from({ length: 60 }, () =>
    fetch(`${url}/auth/device/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: "A".repeat(43) }),
    }),
  );
  expect((await Promise.all(flood)).some((answer) => answer.status === 429)).toBe(true);
  const refused = await poll().catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(oauth.ResponseBodyError);
  expect(refused).toMatchObject({ error: "slow_down", status: 429 });
  expect(Number((refused as oauth.ResponseBodyError).response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0); // GitHub was not asked for it
});
