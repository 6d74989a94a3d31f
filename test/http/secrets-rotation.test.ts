// Rotating SESSION_SECRET and TOKEN_ENCRYPTION_KEY: the new one goes first, old ones are still
// accepted, so a restart with rotated secrets signs nobody out; once an old one is dropped, what it
// alone protected stops working.
import { randomBytes } from "node:crypto";
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { openAccessToken, type SignedInRecord } from "../../src/auth/session-record.js";
import { Sealer } from "../../src/sealer.js";
import { parseEntry } from "../../src/store/session-entries.js";
import { startTestStack, type TestStack } from "../support/stack.js";
import { sessionCookieOf, sessionEntryKeyOf } from "../support/cookies.js";
import { signIn } from "../support/sign-in.js";

const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock });
});
afterAll(() => stack.close());

const storedRecordOf = async (cookie: string) =>
  parseEntry(await stack.redis.get(sessionEntryKeyOf(stack.keyPrefix, cookie)))!.data.auth as SignedInRecord;

test("after a restart with new secrets first, old sessions and sealed tokens keep working and move to the new ones", async () => {
  const oldSecret = stack.env.SESSION_SECRET!;
  const oldKey = stack.env.TOKEN_ENCRYPTION_KEY!;
  const { callback } = await signIn(request.agent(stack.app));
  const oldCookie = sessionCookieOf(callback);

  const newSecret = randomBytes(32).toString("base64url");
  const newKey = randomBytes(32).toString("base64");
  const rotated = await stack.restartedWith({ SESSION_SECRET: `${newSecret},${oldSecret}`, TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}` });

  // The cookie signed with the old secret is accepted, and re-signed with the new one.
  const me = await request(rotated.app).get("/api/me").set("Cookie", oldCookie).expect(200);
  const newCookie = sessionCookieOf(me);
  expect(newCookie).not.toBe(oldCookie);
  // The token sealed with the old key still opens: GitHub accepts the proxied call.
  await request(rotated.app).get("/api/github/user").set("Cookie", newCookie).expect(200);
  // After a refresh the new tokens are sealed with the new key.
  clock.advance(9 * 3_600_000);
  await request(rotated.app).get("/api/github/user").set("Cookie", newCookie).expect(200);
  const stored = await storedRecordOf(newCookie);
  expect(stored.user.id).toBe(583231);
  expect(openAccessToken(stored, new Sealer([Buffer.from(newKey, "base64")]))).toMatch(/^ghu_/);
  expect(openAccessToken(stored, new Sealer([Buffer.from(oldKey, "base64")]))).toBeNull();

  // Once the old secret is retired, only the re-signed cookie works.
  const retired = await stack.restartedWith({ SESSION_SECRET: newSecret, TOKEN_ENCRYPTION_KEY: newKey });
  await request(retired.app).get("/api/me").set("Cookie", newCookie).expect(200);
  await request(retired.app).get("/api/me").set("Cookie", oldCookie).expect(401);
});

test("a token sealed only under a retired key ends the session cleanly when it is needed", async () => {
  const { callback } = await signIn(request.agent(stack.app));
  const cookie = sessionCookieOf(callback);
  const retired = await stack.restartedWith({ TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64") });
  const answer = await request(retired.app).get("/api/github/user").set("Cookie", cookie);
  expect(answer.status).toBe(401);
  expect(answer.body.error).toBe("reauthentication_required");
});
