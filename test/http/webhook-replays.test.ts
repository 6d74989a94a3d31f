// Revocation deliveries that GitHub cannot confirm, replayed, or aimed at the wrong sessions
// (SPEC §4): a delivery ends only sessions GitHub confirms are revoked; when GitHub cannot be asked
// (down, 5xx, or throttling the check) no session ends and each is marked to be revalidated first;
// a user's deliveries are checked with GitHub at most once a minute, on every instance together.
import { createHmac } from "node:crypto";
import request from "supertest";
import type { SignedInRecord } from "../../src/auth/session-record.js";
import { ManualClock } from "../../src/clock.js";
import { REVOCATION_CHECK_SPACING_MS } from "../../src/auth/revocation-check.js";
import type { FaultSpec } from "@github-login-server/github-emulator";
import { decodeCompact } from "../../src/store/entry-codec.js";
import { sessionEntryKeyOf, sessionIdOf } from "../support/cookies.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, TEST_CLIENT_ID, type TestStack } from "../support/stack.js";

const WEBHOOK_SECRET = "webhook-replays-secret";
const OCTOCAT = { login: "octocat", id: 583231 };
const MONALISA = { login: "monalisa", id: 1000001 };

let clock: ManualClock;
let stack: TestStack;
beforeEach(async () => {
  clock = new ManualClock(Date.now());
  stack = await startTestStack({ clock, env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
});
afterEach(() => stack.close());

const emulator = () => stack.emulator.emulator;
const sign = (body: string) => `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
const revocationOf = (user: { login: string; id: number }) =>
  JSON.stringify({ action: "revoked", sender: { login: user.login, id: user.id, type: "User" } });
const markerKey = (userId: number) => `${stack.keyPrefix}once:revocation-check:${userId}`;

function deliver(body: string, app = stack.app) {
  return request(app)
    .post("/webhooks/github")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "github_app_authorization")
    .set("X-Hub-Signature-256", sign(body))
    .send(body)
    .expect(202);
}

/** The app's token checks GitHub answered (POST /applications/{client_id}/token). */
const tokenChecks = () =>
  emulator().stats.apiRequests.filter((call) => call.method === "POST" && call.path.startsWith("/api/v3/applications/"));

async function storedRecord(cookie: string): Promise<SignedInRecord | null> {
  const raw = await stack.redis.get(sessionEntryKeyOf(stack.keyPrefix, cookie));
  return raw === null ? null : (decodeCompact(JSON.parse(raw)) as { auth: SignedInRecord }).auth;
}

async function signedInThrice(user = OCTOCAT): Promise<string[]> {
  const cookies: string[] = [];
  for (let index = 0; index < 3; index += 1) cookies.push((await signedInBrowser(stack.app, user.login)).cookie);
  return cookies;
}

const GITHUB_CANNOT_CONFIRM: [string, Omit<FaultSpec, "pathPrefix" | "times">][] = [
  [
    "throttled: primary rate limit (403, x-ratelimit-remaining: 0)",
    {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 600) },
      body: { message: "API rate limit exceeded" },
    },
  ],
  [
    "throttled: secondary rate limit (429)",
    { status: 429, headers: { "retry-after": "60" }, body: { message: "You have exceeded a secondary rate limit." } },
  ],
  ["GitHub answers 503", { status: 503, body: { message: "Unavailable" } }],
  ["GitHub unreachable", { destroySocket: true }],
];

test.each(GITHUB_CANNOT_CONFIRM)(
  "GitHub cannot confirm (%s): no session ends, each is marked to be revalidated before its next answer",
  async (_kind, fault) => {
    const cookies = await signedInThrice();
    emulator().injectFault({ pathPrefix: "/api/v3/applications/", times: 100, ...fault });
    await deliver(revocationOf(OCTOCAT));
    for (const cookie of cookies) {
      expect(await storedRecord(cookie)).toMatchObject({ user: { id: OCTOCAT.id }, revalidateFirst: true });
    }
    const indexed = await stack.redis.zrange(`${stack.keyPrefix}user:${OCTOCAT.id}:sessions`, "0", "-1");
    expect(indexed.sort()).toEqual(cookies.map(sessionIdOf).sort());
  },
);

test("50 replays within a minute, spread over two instances: one round of token checks, the rest acknowledged without work", async () => {
  const cookies = await signedInThrice();
  const other = await stack.anotherInstance();
  const replay = revocationOf(OCTOCAT);
  await Promise.all(Array.from({ length: 50 }, (_, index) => deliver(replay, index % 2 ? other : stack.app)));
  expect(tokenChecks()).toHaveLength(cookies.length); // one per session, once
  for (const cookie of cookies) expect(await storedRecord(cookie)).not.toBeNull();
  expect(await stack.redis.pttl(markerKey(OCTOCAT.id))).toBeGreaterThan(0);
  expect(await stack.redis.pttl(markerKey(OCTOCAT.id))).toBeLessThanOrEqual(REVOCATION_CHECK_SPACING_MS);
});

test("replays while GitHub is down end nothing either, and ask GitHub only once", async () => {
  const cookies = await signedInThrice();
  emulator().injectFault({ pathPrefix: "/api/v3/applications/", status: 502, body: "bad gateway", times: 1000 });
  for (let index = 0; index < 50; index += 1) await deliver(revocationOf(OCTOCAT));
  expect(tokenChecks()).toHaveLength(cookies.length);
  for (const cookie of cookies) expect(await storedRecord(cookie)).toMatchObject({ revalidateFirst: true });
});

test("a minute later (the marker expired) a delivery for the user is checked with GitHub again", async () => {
  const [cookie] = await signedInThrice();
  await deliver(revocationOf(OCTOCAT));
  await deliver(revocationOf(OCTOCAT));
  expect(tokenChecks()).toHaveLength(3);
  await stack.redis.del(markerKey(OCTOCAT.id)); // what Redis does a minute after it was set (PX)
  emulator().revokeAuthorization(OCTOCAT.login, TEST_CLIENT_ID);
  await deliver(revocationOf(OCTOCAT));
  expect(tokenChecks().length).toBeGreaterThan(3);
  expect(await storedRecord(cookie!)).toBeNull(); // now revoked at GitHub: the sessions end
});

test("each user has a marker of their own: another user's delivery within the minute is checked", async () => {
  await signedInThrice(OCTOCAT);
  const [monalisa] = await signedInThrice(MONALISA);
  await deliver(revocationOf(OCTOCAT));
  emulator().revokeAuthorization(MONALISA.login, TEST_CLIENT_ID);
  await deliver(revocationOf(MONALISA));
  expect(await storedRecord(monalisa!)).toBeNull();
});

test("an index entry pointing at another user's session: that session is neither asked about nor ended, and the entry is dropped", async () => {
  const octocat = await signedInBrowser(stack.app, OCTOCAT.login);
  const monalisa = await signedInBrowser(stack.app, MONALISA.login);
  const octocatIndex = `${stack.keyPrefix}user:${OCTOCAT.id}:sessions`;
  await stack.redis.zadd(octocatIndex, String(clock.now() + 86_400_000), sessionIdOf(monalisa.cookie));
  // Both authorizations are gone at GitHub, but the delivery is about octocat only.
  emulator().revokeAuthorization(OCTOCAT.login, TEST_CLIENT_ID);
  emulator().revokeAuthorization(MONALISA.login, TEST_CLIENT_ID);
  emulator().resetStats();
  await deliver(revocationOf(OCTOCAT));
  expect(await storedRecord(octocat.cookie)).toBeNull();
  expect(await storedRecord(monalisa.cookie)).toMatchObject({ user: { id: MONALISA.id } });
  expect(tokenChecks()).toHaveLength(1); // octocat's token only
  expect(await stack.redis.zrange(octocatIndex, "0", "-1")).not.toContain(sessionIdOf(monalisa.cookie));
});
