// Profile freshness, sign out everywhere, revocation at GitHub and the revocation webhook.
import { createHmac } from "node:crypto";
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { isValidWebhookSignature } from "../../src/github/webhook-signature.js";
import { startTestStack, TEST_CLIENT_ID, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";
import { sessionEntryKeyOf, sessionIdOf } from "../support/cookies.js";
import { signedInBrowser } from "../support/sign-in.js";

const WEBHOOK_SECRET = "webhook-secret-for-tests";
const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock, env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.emulator.resetStats();
  stack.emulator.emulator.clearFaults();
});

const signedIn = (login = "octocat") => signedInBrowser(stack.app, login);

describe("profile freshness", () => {
  test("a fresh profile is served from the session without calling GitHub", async () => {
    const { agent } = await signedIn();
    stack.emulator.emulator.resetStats();
    await agent.get("/api/me").expect(200);
    expect(stack.emulator.emulator.stats.apiRequests).toHaveLength(0);
  });

  test("older than PROFILE_MAX_AGE: revalidated with If-None-Match, and the 304 costs no rate limit", async () => {
    const { agent } = await signedIn();
    stack.emulator.emulator.resetStats();
    clock.advance(5 * 60_000 + 1_000);
    await agent.get("/api/me").expect(200);
    const [revalidation] = stack.emulator.emulator.stats.apiRequests;
    expect(revalidation).toMatchObject({ path: "/api/v3/user", status: 304 });
    expect(revalidation!.ifNoneMatch).toMatch(/^"|^W\//);
    const remainingBefore = Number((await agent.get("/api/github/rate_limit")).headers["x-ratelimit-remaining"]);
    clock.advance(5 * 60_000 + 1_000);
    await agent.get("/api/me").expect(200);
    const remainingAfter = Number((await agent.get("/api/github/rate_limit")).headers["x-ratelimit-remaining"]);
    expect(remainingAfter).toBe(remainingBefore - 1); // only the rate_limit call itself counted
    // Revalidated just now: the next call does not ask again.
    stack.emulator.emulator.resetStats();
    await agent.get("/api/me").expect(200);
    expect(stack.emulator.emulator.stats.apiRequests).toHaveLength(0);
  });

  test("GitHub unreachable at revalidation: the cached profile is served", async () => {
    const { agent } = await signedIn();
    clock.advance(10 * 60_000);
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", status: 502, body: "bad gateway" });
    expect((await agent.get("/api/me").expect(200)).body.login).toBe("octocat");
  });
});

describe("sign out everywhere", () => {
  test("ends every session of this user and only this user's", async () => {
    const laptop = await signedIn("octocat");
    const phone = await signedIn("octocat");
    const someoneElse = await signedIn("monalisa");
    await laptop.agent.post("/auth/logout?everywhere=1").set("Origin", TEST_PUBLIC_URL).expect(303);
    await request(stack.app).get("/api/me").set("Cookie", laptop.cookie).expect(401);
    await request(stack.app).get("/api/me").set("Cookie", phone.cookie).expect(401);
    await request(stack.app).get("/api/me").set("Cookie", someoneElse.cookie).expect(200);
    expect(await stack.redis.exists(`${stack.keyPrefix}user:583231:sessions`)).toBe(0);
  });

  test("plain sign-out leaves the user's other sessions alone", async () => {
    const laptop = await signedIn("octocat");
    const phone = await signedIn("octocat");
    await laptop.agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
    await request(stack.app).get("/api/me").set("Cookie", phone.cookie).expect(200);
    const indexed = await stack.redis.zrange(`${stack.keyPrefix}user:583231:sessions`, "0", "-1");
    expect(indexed).toContain(sessionIdOf(phone.cookie));
    expect(indexed).not.toContain(sessionIdOf(laptop.cookie));
  });

  test("revoke=1 also revokes this session's token at GitHub", async () => {
    const { agent } = await signedIn("octocat");
    const token = stack.emulator.emulator.issuedAccessTokens().at(-1)!;
    await agent.post("/auth/logout?revoke=1").set("Accept", "application/json").expect(204);
    const check = await fetch(`${stack.emulator.url}/api/v3/user`, { headers: { authorization: `token ${token}`, "user-agent": "test" } });
    expect(check.status).toBe(401);
  });

  test("everywhere=1&revoke=1 revokes the whole authorization at GitHub", async () => {
    const first = await signedIn("monalisa");
    const firstToken = stack.emulator.emulator.issuedAccessTokens().at(-1)!;
    const second = await signedIn("monalisa");
    await second.agent.post("/auth/logout?everywhere=1&revoke=1").set("Origin", TEST_PUBLIC_URL).expect(303);
    const check = await fetch(`${stack.emulator.url}/api/v3/user`, {
      headers: { authorization: `token ${firstToken}`, "user-agent": "test" },
    });
    expect(check.status).toBe(401);
    await request(stack.app).get("/api/me").set("Cookie", first.cookie).expect(401);
  });
});

describe("POST /webhooks/github", () => {
  const sign = (body: string) => `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
  const revocation = JSON.stringify({ action: "revoked", sender: { login: "octocat", id: 583231, type: "User" } });
  // A user's deliveries are checked at most once a minute (webhook-replays.test.ts); each test here
  // is a delivery of its own, as if a minute had passed since the last one.
  const checkedAMinuteAgo = () => stack.redis.del(`${stack.keyPrefix}once:revocation-check:583231`);
  beforeEach(checkedAMinuteAgo);

  test("the documented test vector verifies, a wrong one does not", () => {
    const vector = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(isValidWebhookSignature("It's a Secret to Everybody", Buffer.from("Hello, World!"), vector)).toBe(true);
    expect(isValidWebhookSignature("It's a Secret to Everybody", Buffer.from("Hello, World?"), vector)).toBe(false);
    expect(isValidWebhookSignature("It's a Secret to Everybody", Buffer.from("Hello, World!"), "sha256=00")).toBe(false);
    expect(isValidWebhookSignature("It's a Secret to Everybody", Buffer.from("Hello, World!"), undefined)).toBe(false);
  });

  const deliverRevocation = () =>
    request(stack.app)
      .post("/webhooks/github")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "github_app_authorization")
      .set("X-Hub-Signature-256", sign(revocation))
      .send(revocation)
      .expect(202);

  test("github_app_authorization revoked with a good signature ends every session of that user → 202", async () => {
    const laptop = await signedIn("octocat");
    const phone = await signedIn("octocat");
    const someoneElse = await signedIn("monalisa");
    stack.emulator.emulator.revokeAuthorization("octocat", TEST_CLIENT_ID); // what GitHub did before telling us
    await deliverRevocation();
    await request(stack.app).get("/api/me").set("Cookie", laptop.cookie).expect(401);
    await request(stack.app).get("/api/me").set("Cookie", phone.cookie).expect(401);
    await request(stack.app).get("/api/me").set("Cookie", someoneElse.cookie).expect(200);
  });

  test("a replayed delivery does not sign out a user who has signed in again since", async () => {
    const before = await signedIn("octocat");
    stack.emulator.emulator.revokeAuthorization("octocat", TEST_CLIENT_ID);
    await deliverRevocation();
    await request(stack.app).get("/api/me").set("Cookie", before.cookie).expect(401);
    const again = await signedIn("octocat");
    await checkedAMinuteAgo();
    await deliverRevocation(); // the same signed delivery, captured and sent again later
    await request(stack.app).get("/api/me").set("Cookie", again.cookie).expect(200);
    // GitHub was asked about the new token: the token check, with the app's credentials.
    expect(
      stack.emulator.emulator.stats.apiRequests.filter((call) => call.method === "POST" && call.path.startsWith("/api/v3/applications/")),
    ).not.toHaveLength(0);
  });

  test("a session whose token has expired meanwhile is refreshed before it is judged, and kept", async () => {
    const { cookie } = await signedIn("octocat");
    clock.advance(9 * 3_600_000); // the 8-hour token expired; the refresh token is good
    await deliverRevocation();
    const session = await request(stack.app).get("/api/session").set("Cookie", cookie).expect(200);
    expect(Date.parse(session.body.github.accessTokenExpiresAt)).toBeGreaterThan(clock.now());
  });

  test("when GitHub cannot confirm, no session ends (the delivery may be a replay): each is revalidated first instead", async () => {
    const { cookie } = await signedIn("octocat");
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/applications/", status: 503, body: { message: "Unavailable" }, times: 100 });
    await deliverRevocation();
    const stored = await stack.redis.get(sessionEntryKeyOf(stack.keyPrefix, cookie));
    expect(stored).not.toBeNull();
    expect(stored).toContain('"revalidateFirst":true');
  });

  test("a bad signature → 401 and nothing happens", async () => {
    const { cookie } = await signedIn("octocat");
    for (const signature of [sign(revocation + " "), "sha256=" + "0".repeat(64), "sha1=abc", ""]) {
      const answer = await request(stack.app)
        .post("/webhooks/github")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "github_app_authorization")
        .set("X-Hub-Signature-256", signature)
        .send(revocation);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe("bad_signature");
    }
    await request(stack.app).get("/api/me").set("Cookie", cookie).expect(200);
  });

  test("other events are acknowledged and ignored", async () => {
    const { cookie } = await signedIn("octocat");
    const ping = JSON.stringify({ zen: "Keep it logically awesome.", sender: { id: 583231 } });
    await request(stack.app)
      .post("/webhooks/github")
      .set("X-GitHub-Event", "ping")
      .set("X-Hub-Signature-256", sign(ping))
      .send(ping)
      .expect(202);
    await request(stack.app).get("/api/me").set("Cookie", cookie).expect(200);
  });

  test("a signed payload that is not JSON → 400", async () => {
    const answer = await request(stack.app)
      .post("/webhooks/github")
      .set("X-GitHub-Event", "github_app_authorization")
      .set("X-Hub-Signature-256", sign("{oops"))
      .send("{oops");
    expect(answer.status).toBe(400);
  });

  test("without GITHUB_WEBHOOK_SECRET the route does not exist", async () => {
    const plain = await startTestStack();
    try {
      await request(plain.app).post("/webhooks/github").send("{}").expect(404);
    } finally {
      await plain.close();
    }
  });
});
