// The GitHub token behind a grant (SPEC §4, §9; src/oidc/grant-tokens.ts), with GitHub App tokens
// that expire after 8 hours and whose refresh token works once: the grant holds a copy of its
// sign-in session's access token and never its refresh token; while that session lives, a refresh
// happens on it, under its single-flight lease, and the grant copies the result; once it has ended,
// the grant works on with its copy until that expires, then ends (invalid_grant).
import { ManualClock } from "../../src/clock.js";
import { openAccessToken, openRefreshToken, type SignedInRecord } from "../../src/auth/session-record.js";
import { Sealer } from "../../src/sealer.js";
import { decodeCompact } from "../../src/store/entry-codec.js";
import { client, newBrowser, relyingParty, signInWithCode, startOidcStack, type Browser, type TestStack } from "../support/oidc-stack.js";

const HOURS = 60 * 60_000;

let clock: ManualClock;
let stack: TestStack;
let sealer: Sealer;
beforeEach(async () => {
  clock = new ManualClock(Date.now());
  stack = await startOidcStack({ clock, clientType: "github-app" });
  sealer = new Sealer([Buffer.from(stack.env.TOKEN_ENCRYPTION_KEY!, "base64")]);
});
afterEach(() => stack.close());

async function recordOf(sessionId: string): Promise<SignedInRecord | null> {
  const raw = await stack.redis.get(`${stack.keyPrefix}sess:${sessionId}`);
  return raw === null ? null : (decodeCompact(JSON.parse(raw)) as { auth: SignedInRecord }).auth;
}

async function grantSessionId(): Promise<string> {
  const ids = await stack.redis.zrange(`${stack.keyPrefix}user:583231:sessions`, "0", "-1");
  const grants = ids.filter((id) => id.startsWith("o."));
  if (grants.length !== 1) throw new Error(`expected one grant session, found ${grants.length}`);
  return grants[0]!;
}

/** The browser's sign-in session id: the user's one session that is not a grant's. */
async function parentSessionId(browser: Browser): Promise<string> {
  const answer = await browser.get("/api/session");
  expect(answer.status).toBe(200);
  const ids = await stack.redis.zrange(`${stack.keyPrefix}user:583231:sessions`, "0", "-1");
  const parents = ids.filter((id) => !id.startsWith("o."));
  expect(parents).toHaveLength(1);
  return parents[0]!;
}

async function signedIn() {
  const rp = await relyingParty(stack.app, "cli");
  const browser = newBrowser(stack.app);
  const tokens = await signInWithCode(stack.app, browser, rp);
  return { rp, browser, refreshToken: tokens.refresh_token!, parentId: await parentSessionId(browser), grantId: await grantSessionId() };
}

test("the grant holds its sign-in session's access token, never its refresh token", async () => {
  const { parentId, grantId } = await signedIn();
  const [parent, grant] = [await recordOf(parentId), await recordOf(grantId)];
  expect(grant?.kind).toBe("oidc");
  expect(openAccessToken(grant!, sealer)).toBe(openAccessToken(parent!, sealer));
  expect(openRefreshToken(parent!, sealer)).toEqual(expect.any(String));
  expect(openRefreshToken(grant!, sealer)).toBeNull();
});

test("an expiring token is refreshed once, on the sign-in session under its lease, and the grant copies it; nothing is redeemed twice", async () => {
  const { rp, browser, refreshToken, parentId, grantId } = await signedIn();
  const { stats } = stack.emulator.emulator;
  const refreshes = stats.refreshes;
  clock.advance(8 * HOURS - 60_000);
  // The relying party's refresh and the browser's own request, at once.
  const [refreshed, me] = await Promise.all([client.refreshTokenGrant(rp, refreshToken), browser.get("/api/me")]);
  expect(me.status).toBe(200);
  expect(refreshed.claims()!.sub).toBe("583231");
  expect(stats.refreshes).toBe(refreshes + 1);
  expect(stats.refreshTokenReuses).toBe(0);
  const [parent, grant] = [await recordOf(parentId), await recordOf(grantId)];
  expect(openAccessToken(grant!, sealer)).toBe(openAccessToken(parent!, sealer));
  expect(grant!.github.accessTokenExpiresAt).toBe(parent!.github.accessTokenExpiresAt);
});

test("when the sign-in session refreshed first, the grant takes its new token without another refresh", async () => {
  const { rp, browser, refreshToken, parentId, grantId } = await signedIn();
  const { stats } = stack.emulator.emulator;
  clock.advance(8 * HOURS - 60_000);
  expect((await browser.get("/api/me")).status).toBe(200);
  const refreshes = stats.refreshes;
  await client.refreshTokenGrant(rp, refreshToken);
  expect(stats.refreshes).toBe(refreshes);
  expect(openAccessToken((await recordOf(grantId))!, sealer)).toBe(openAccessToken((await recordOf(parentId))!, sealer));
});

test("once its sign-in session ended, the grant works on with its copy until the copy expires, then ends", async () => {
  const { rp, browser, refreshToken, grantId } = await signedIn();
  expect((await browser.post("/auth/logout").set("Origin", "http://app.test:3000")).status).toBe(303);
  clock.advance(6 * HOURS);
  const later = await client.refreshTokenGrant(rp, refreshToken);
  expect(later.claims()!.sub).toBe("583231");
  clock.advance(2 * HOURS);
  const refused = await client.refreshTokenGrant(rp, later.refresh_token!).then(
    () => null,
    (error: unknown) => error as client.ResponseBodyError,
  );
  expect(refused).toBeInstanceOf(client.ResponseBodyError);
  expect(refused!.error).toBe("invalid_grant");
  expect(await recordOf(grantId)).toBeNull();
  expect(stack.emulator.emulator.stats.refreshTokenReuses).toBe(0);
  // It ended on seeing its copy expire, without first trying the expired token on GitHub.
  expect(stack.emulator.emulator.stats.apiRequests.filter((call) => call.status === 401)).toEqual([]);
});
