// The audit trail (SPEC §8): every sign-in, sign-out and ended session is one JSON log line with
// `event`, its `outcome` or `reason`, `userId`, `login`, `host` and `kind`.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { signedInBrowser, signIn, startSignIn, finishSignIn } from "../support/sign-in.js";
import { startTestStack, TEST_CLIENT_ID, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock, env: { ALLOWED_ORGS: "github", SESSION_MAX_AGE: "1h", SESSION_IDLE_TIMEOUT: "1h" } });
});
afterEach(() => stack.settled());
afterAll(() => stack.close());

const HOST = new URL(TEST_PUBLIC_URL).host;
const octocat = { userId: 583231, login: "octocat", host: HOST, kind: "browser" };

/** The audit lines written while `during` runs. */
async function auditLines(during: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const before = stack.logs.length;
  await during();
  await stack.settled();
  return stack.logs
    .slice(before)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => typeof line.event === "string")
    .map(({ event, outcome, reason, sessions, userId, login, host, kind }) => ({
      event,
      outcome,
      reason,
      sessions,
      userId,
      login,
      host,
      kind,
    }));
}
/** gls_session_endings_total for one reason, as /metrics says it. */
async function endings(reason: string): Promise<number> {
  const text = (await request(stack.app).get("/metrics").expect(200)).text;
  return Number(new RegExp(`^gls_session_endings_total\\{reason="${reason}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
}
const line = (fields: Record<string, unknown>) => ({
  outcome: undefined,
  reason: undefined,
  sessions: undefined,
  userId: undefined,
  login: undefined,
  ...fields,
});

test("sign-ins: one line each, with the outcome, and who when known", async () => {
  expect(await auditLines(() => signedInBrowser(stack.app, "octocat"))).toEqual([
    line({ event: "sign_in", outcome: "success", ...octocat }),
  ]);
  expect(await auditLines(() => signIn(request.agent(stack.app), { login: "monalisa" }))).toEqual([
    line({ event: "sign_in", outcome: "not_allowed", host: HOST, kind: "browser" }),
  ]);
  const cancelled = async () => {
    const agent = request.agent(stack.app);
    await finishSignIn(agent, (await startSignIn(agent)).authorizeUrl, "octocat", "cancel");
  };
  expect(await auditLines(cancelled)).toEqual([line({ event: "sign_in", outcome: "cancelled", host: HOST, kind: "browser" })]);
});

test("sign-outs: this session, or everywhere with how many sessions ended", async () => {
  const { agent } = await signedInBrowser(stack.app, "octocat");
  const [thisSession, everywhere] = [await endings("this_session"), await endings("everywhere")];
  expect(await auditLines(() => agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303))).toEqual([
    line({ event: "sign_out", reason: "this_session", sessions: 1, ...octocat }),
  ]);
  await stack.redis.del(`${stack.keyPrefix}user:583231:sessions`); // sessions of the other tests
  const browsers = [await signedInBrowser(stack.app, "octocat"), await signedInBrowser(stack.app, "octocat")];
  expect(await auditLines(() => browsers[0]!.agent.post("/auth/logout?everywhere=1").set("Origin", TEST_PUBLIC_URL).expect(303))).toEqual([
    line({ event: "sign_out", reason: "everywhere", sessions: 2, ...octocat }),
  ]);
  expect([await endings("this_session"), await endings("everywhere")]).toEqual([thisSession + 1, everywhere + 1]); // counted in /metrics too
});

test("sessions the server ends say why: the authorization gone, no longer allowed, past SESSION_MAX_AGE", async () => {
  const revoked = await signedInBrowser(stack.app, "octocat");
  stack.emulator.emulator.revokeAuthorization("octocat", TEST_CLIENT_ID);
  clock.advance(5 * 60_000 + 1_000);
  expect(await auditLines(() => revoked.agent.get("/api/me"))).toEqual([
    line({ event: "session_ended", reason: "authorization_gone", ...octocat }),
  ]);

  const leaving = await signedInBrowser(stack.app, "octocat");
  stack.emulator.emulator.setOrgMembership("octocat", "github", null);
  clock.advance(5 * 60_000 + 1_000);
  expect(await auditLines(() => leaving.agent.get("/api/me"))).toEqual([
    line({ event: "session_ended", reason: "not_allowed", ...octocat }),
  ]);
  stack.emulator.emulator.setOrgMembership("octocat", "github", "active");

  const old = await signedInBrowser(stack.app, "octocat");
  clock.advance(60 * 60_000 + 1_000);
  const maxAge = await endings("max_age");
  expect(await auditLines(() => old.agent.get("/auth/check").expect(401))).toEqual([
    line({ event: "session_ended", reason: "max_age", ...octocat }),
  ]);
  expect(await endings("max_age")).toBe(maxAge + 1);
});
