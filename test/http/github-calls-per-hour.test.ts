// What a busy session costs in calls to GitHub, by kind of list (SPEC §7): an hour of /auth/check
// every 10 s on the test clock, counted at the emulator. A revalidation every PROFILE_MAX_AGE (5 min)
// asks GET /user and one endpoint per fact, each conditional, so an unchanged answer is a 304 that
// costs no rate limit; in between nothing is asked. The figures are printed for docs/operating.md.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack } from "../support/stack.js";

const HOUR_MS = 60 * 60_000;
const STEP_MS = 10_000;
/** Past the first 5-minute window, a revalidation every 5 min + 10 s step: 11 in the hour. */
const REVALIDATIONS_PER_HOUR = 11;

const KINDS: Array<{ kind: string; env: Record<string, string>; rule?: string; facts: number }> = [
  { kind: "no lists", env: {}, facts: 0 },
  { kind: "ALLOWED_USERS", env: { ALLOWED_USERS: "octocat" }, facts: 0 },
  { kind: "ALLOWED_ORGS (1)", env: { ALLOWED_ORGS: "github" }, facts: 1 },
  { kind: "ALLOWED_TEAMS (1)", env: { ALLOWED_TEAMS: "github/docs" }, facts: 1 },
  { kind: "ALLOWED_REPOS (1)", env: { ALLOWED_REPOS: "octocat/hello-world:admin" }, facts: 1 },
  { kind: "ALLOWED_ORGS + a per-route team rule", env: { ALLOWED_ORGS: "github" }, rule: "?teams=github/docs", facts: 2 },
];

const figures: string[] = [];
afterAll(() => console.log(["GitHub calls per busy session per hour (a check every 10 s):", ...figures].join("\n")));

test.each(KINDS)(
  "$kind: one conditional call per fact and one GET /user per revalidation, nothing in between",
  async ({ kind, env, rule, facts }) => {
    const clock = new ManualClock(Date.now());
    const stack = await startTestStack({ clock, env });
    try {
      const { cookie } = await signedInBrowser(stack.app, "octocat");
      const path = `/auth/check${rule ?? ""}`;
      await request(stack.app).get(path).set("Cookie", cookie).expect(204); // a route rule's first check
      stack.emulator.emulator.resetStats();
      for (let elapsed = 0; elapsed < HOUR_MS; elapsed += STEP_MS) {
        clock.advance(STEP_MS);
        await request(stack.app).get(path).set("Cookie", cookie).expect(204);
        await stack.settled();
      }
      const calls = stack.emulator.emulator.stats.apiRequests;
      const notModified = calls.filter((call) => call.status === 304).length;
      figures.push(
        `  ${kind}: ${calls.length} calls (${notModified} of them 304, free), ${calls.length - notModified} counted against the rate limit`,
      );
      expect(calls.filter((call) => call.path === "/api/v3/user")).toHaveLength(REVALIDATIONS_PER_HOUR);
      expect(calls).toHaveLength(REVALIDATIONS_PER_HOUR * (1 + facts));
      expect(calls.every((call) => call.ifNoneMatch !== null)).toBe(true);
      expect(notModified).toBe(calls.length);
    } finally {
      await stack.close();
    }
  },
  60_000,
);
