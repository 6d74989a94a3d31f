// Refresh tokens (SPEC §9): issued for offline_access, rotating, with a 60 s grace for parallel use
// of the same one, a reuse after it revoking the grant; and each refresh deciding access again
// (facts older than PROFILE_MAX_AGE asked of GitHub first), so a user who lost access gets
// invalid_grant and new ID tokens carry memberships as they are now.
import { createHmac } from "node:crypto";
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { REFRESH_REUSE_GRACE_SECONDS } from "../../src/oidc/adapter.js";
import { client, newBrowser, OCTO_CLIENT, relyingParty, signInWithCode, startOidcStack, type TestStack } from "../support/oidc-stack.js";
import { TEST_CLIENT_ID } from "../support/stack.js";

const WEBHOOK_SECRET = "oidc-refresh-webhook-secret";
const PROFILE_MAX_AGE_MS = 5 * 60_000;

let clock: ManualClock;
let stack: TestStack;
beforeEach(async () => {
  clock = new ManualClock(Date.now());
  stack = await startOidcStack({ clock, env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
});
afterEach(() => stack.close());

/** What openid-client says when the token endpoint refuses (RFC 6749 §5.2). */
async function refusal(attempt: Promise<unknown>): Promise<{ error: string; error_description?: string }> {
  const error = (await attempt.then(
    () => null,
    (caught: unknown) => caught,
  )) as client.ResponseBodyError | null;
  if (!(error instanceof client.ResponseBodyError)) throw new Error(`expected the token endpoint to refuse, got ${String(error)}`);
  return { error: error.error, error_description: error.error_description };
}

async function signedIn(login = "octocat", clientId = "cli", secret?: string) {
  const rp = await relyingParty(stack.app, clientId, secret);
  const browser = newBrowser(stack.app);
  const params: Record<string, string> =
    clientId === "octo" ? { redirect_uri: OCTO_CLIENT.redirect_uris[0]!, scope: "openid offline_access" } : {};
  const tokens = await signInWithCode(stack.app, browser, rp, params, login);
  return { rp, browser, tokens, refreshToken: tokens.refresh_token! };
}

const oidcSessions = async (browser: ReturnType<typeof newBrowser>) =>
  ((await browser.get("/api/sessions")).body as { kind: string }[]).filter((session) => session.kind === "oidc");

test("a refresh rotates the refresh token and gives a fresh ID token for the same user", async () => {
  const { rp, refreshToken } = await signedIn();
  const refreshed = await client.refreshTokenGrant(rp, refreshToken);
  expect(refreshed.refresh_token).toEqual(expect.any(String));
  expect(refreshed.refresh_token).not.toBe(refreshToken);
  expect(refreshed.claims()).toMatchObject({ sub: "583231", preferred_username: "octocat" });
  const again = await client.refreshTokenGrant(rp, refreshed.refresh_token!);
  expect(again.claims()!.sub).toBe("583231");
});

test("two refreshes with the same token at once both succeed (two kubectl processes), each with its own new token", async () => {
  const { rp, refreshToken } = await signedIn();
  const [first, second] = await Promise.all([client.refreshTokenGrant(rp, refreshToken), client.refreshTokenGrant(rp, refreshToken)]);
  expect(first.refresh_token).not.toBe(second.refresh_token);
  // Within the grace the same token still works, once more, from a third process.
  clock.advance((REFRESH_REUSE_GRACE_SECONDS - 5) * 1000);
  await expect(client.refreshTokenGrant(rp, refreshToken)).resolves.toMatchObject({ token_type: expect.any(String) });
  await expect(client.refreshTokenGrant(rp, first.refresh_token!)).resolves.toBeDefined();
});

test("a used refresh token presented after the grace revokes the grant: every token of it fails, and its session ends", async () => {
  const { rp, browser, refreshToken } = await signedIn();
  const rotated = await client.refreshTokenGrant(rp, refreshToken);
  expect(await oidcSessions(browser)).toHaveLength(1);
  clock.advance((REFRESH_REUSE_GRACE_SECONDS + 1) * 1000);
  expect(await refusal(client.refreshTokenGrant(rp, refreshToken))).toMatchObject({ error: "invalid_grant" });
  // The legitimate client's newer token went with the grant (RFC 9700 §4.14.2).
  expect(await refusal(client.refreshTokenGrant(rp, rotated.refresh_token!))).toMatchObject({ error: "invalid_grant" });
  await expect(client.fetchUserInfo(rp, rotated.access_token, "583231")).rejects.toBeDefined();
  await stack.settled();
  expect(await oidcSessions(browser)).toHaveLength(0);
});

test("a refresh decides again: a user removed from the client's organisation gets invalid_grant saying why", async () => {
  const { rp, tokens, refreshToken } = await signedIn("monalisa", "octo", OCTO_CLIENT.client_secret);
  expect(tokens.claims()!.groups).toEqual(["octo-org"]);
  stack.emulator.emulator.setOrgMembership("monalisa", "octo-org", null);
  // Within PROFILE_MAX_AGE the last decision stands; past it, GitHub is asked before the answer.
  const early = await client.refreshTokenGrant(rp, refreshToken);
  clock.advance(PROFILE_MAX_AGE_MS + 1_000);
  const refused = await refusal(client.refreshTokenGrant(rp, early.refresh_token!));
  expect(refused).toEqual({ error: "invalid_grant", error_description: expect.stringContaining("octo-org") });
});

test("a refresh's new ID token carries the groups as they are now", async () => {
  const { rp, refreshToken } = await signedIn("monalisa", "octo", OCTO_CLIENT.client_secret);
  const emulator = stack.emulator.emulator;
  emulator.setOrgMembership("monalisa", "github", "active");
  emulator.setTeamMembership("monalisa", "github/docs", "active");
  clock.advance(PROFILE_MAX_AGE_MS + 1_000);
  const refreshed = await client.refreshTokenGrant(rp, refreshToken);
  expect(new Set(refreshed.claims()!.groups as string[])).toEqual(new Set(["octo-org", "github", "github/docs"]));
});

test("signing out everywhere ends the grant: its refresh token gets invalid_grant, its access token fails at userinfo", async () => {
  const { rp, browser, tokens, refreshToken } = await signedIn();
  const out = await browser.post("/auth/logout?everywhere=1").set("Origin", "http://app.test:3000");
  expect(out.status).toBe(303);
  expect(await refusal(client.refreshTokenGrant(rp, refreshToken))).toMatchObject({ error: "invalid_grant" });
  await expect(client.fetchUserInfo(rp, tokens.access_token, "583231")).rejects.toBeDefined();
});

test("ending the grant from the session list ends it at the provider too", async () => {
  const { rp, browser, refreshToken } = await signedIn();
  const grant = (await browser.get("/api/sessions")).body.find((session: { kind: string }) => session.kind === "oidc") as { id: string };
  const grantKeys = () => stack.redis.keys(`${stack.keyPrefix}oidc:{*`);
  expect(await grantKeys()).not.toEqual([]);
  expect((await browser.delete(`/api/sessions/${grant.id}`).set("Origin", "http://app.test:3000")).status).toBe(204);
  expect(await refusal(client.refreshTokenGrant(rp, refreshToken))).toMatchObject({ error: "invalid_grant" });
  // What the provider held of the grant went with it, at the first token presented after.
  expect(await grantKeys()).toEqual([]);
});

test("the revocation webhook, confirmed by GitHub, ends the grant", async () => {
  const { rp, refreshToken } = await signedIn();
  stack.emulator.emulator.revokeAuthorization("octocat", TEST_CLIENT_ID);
  const body = JSON.stringify({ action: "revoked", sender: { login: "octocat", id: 583231, type: "User" } });
  const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
  await request(stack.app)
    .post("/webhooks/github")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "github_app_authorization")
    .set("X-Hub-Signature-256", signature)
    .send(body)
    .expect(202);
  await stack.settled();
  expect(await refusal(client.refreshTokenGrant(rp, refreshToken))).toMatchObject({ error: "invalid_grant" });
});

test("a refresh token of one client is refused at another", async () => {
  const { refreshToken } = await signedIn();
  const other = await relyingParty(stack.app, "web", "web-client-secret-0123456789abcdef");
  expect(await refusal(client.refreshTokenGrant(other, refreshToken))).toMatchObject({ error: "invalid_grant" });
});
