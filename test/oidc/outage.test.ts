// Redis down (SPEC §5) is an outage to wait out at the provider too: its endpoints answer 503 with
// Retry-After (OAuth's JSON error, or a page), nothing is ended, and when Redis is back the same
// grants go on. Redis is a real redis-server stopped and restarted under the running server.
import request from "supertest";
import { eventually } from "../support/eventually.js";
import { startRedisServer, stopRedisServer } from "../support/redis-server.js";
import { client, newBrowser, relyingParty, signInWithCode, startOidcStack } from "../support/oidc-stack.js";

test("503 with Retry-After while Redis is down, the grant intact once it is back", async () => {
  const redisServer = await startRedisServer(undefined, { appendOnly: true });
  const stack = await startOidcStack({ redisUrl: redisServer.url });
  let restarted = redisServer;
  try {
    const rp = await relyingParty(stack.app, "cli");
    const tokens = await signInWithCode(stack.app, newBrowser(stack.app), rp);
    await stopRedisServer(redisServer, { keepDir: true });

    const refresh = await request(stack.app)
      .post("/oidc/token")
      .type("form")
      .send({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: "cli" });
    expect([refresh.status, refresh.headers["retry-after"], refresh.body.error]).toEqual([503, "5", "temporarily_unavailable"]);
    const authorize = await request(stack.app).get(
      "/oidc/auth?client_id=cli&response_type=code&scope=openid&redirect_uri=http://127.0.0.1:1/callback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
    );
    expect([authorize.status, authorize.headers["retry-after"], authorize.type]).toEqual([503, "5", "text/html"]);
    const userinfo = await request(stack.app).get("/oidc/me").set("Authorization", `Bearer ${tokens.access_token}`);
    expect(userinfo.status).toBe(503);

    restarted = await startRedisServer(redisServer.port, { dir: redisServer.dir, appendOnly: true });
    await eventually("/readyz to answer 200 once Redis is back", async () => (await request(stack.app).get("/readyz")).status === 200, {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe("583231");
  } finally {
    await stack.close();
    await stopRedisServer(restarted);
  }
}, 40_000);
