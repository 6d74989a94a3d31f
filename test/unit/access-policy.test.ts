// The one access policy (src/auth/access-policy.ts), as a table of cases: every verdict, and what
// decides between them.
import { describe, expect, it } from "@jest/globals";
import { decideAccess, type AccessQuestion } from "../../src/auth/access-policy.js";
import type { AccessFacts } from "../../src/auth/access.js";
import { NO_RULES, type AccessRules } from "../../src/config/access-rules.js";

const rules = (partial: Partial<AccessRules>): AccessRules => ({ ...NO_RULES, ...partial });
const ask = (question: Partial<AccessQuestion> & Pick<AccessQuestion, "rules">) =>
  decideAccess({ login: "octocat", facts: undefined, ...question });

describe("decideAccess", () => {
  it("allows everyone when no list names anything, and a listed login whatever its facts", () => {
    expect(ask({ rules: NO_RULES })).toEqual({ verdict: "allowed" });
    expect(ask({ rules: rules({ users: ["octocat"], orgs: ["acme"] }), facts: { "org:acme": { level: 0 } } })).toEqual({
      verdict: "allowed",
    });
    expect(ask({ login: "OctoCat", rules: rules({ users: ["octocat"] }) })).toEqual({ verdict: "allowed" });
  });

  it("allows on any one fact at the level its entry needs", () => {
    const repoRule = rules({ repos: [{ repo: "acme/app", permission: "write" }] });
    expect(ask({ rules: repoRule, facts: { "repo:acme/app": { level: 3 } } }).verdict).toBe("allowed");
    expect(ask({ rules: repoRule, facts: { "repo:acme/app": { level: 2 } } })).toEqual({
      verdict: "refused",
      reason: "only triage on acme/app where write is needed",
      unseenOrgs: [],
    });
    const either = rules({ orgs: ["acme"], teams: ["globex/ops"] });
    expect(ask({ rules: either, facts: { "org:acme": { level: 0 }, "team:globex/ops": { level: 1 } } }).verdict).toBe("allowed");
  });

  it("is unknown, naming what to ask, while a fact the rules need was never checked", () => {
    const either = rules({ orgs: ["acme", "globex"] });
    expect(ask({ rules: either, facts: { "org:acme": { level: 0 } } })).toEqual({ verdict: "unknown", missing: ["org:globex"] });
    // One fact that lets the user in decides, whatever is still unknown.
    expect(ask({ rules: either, facts: { "org:acme": { level: 1 } } }).verdict).toBe("allowed");
  });

  it("refuses with the reason entry by entry, worded for the lists or for a narrower rule", () => {
    const facts: AccessFacts = { "org:acme": { level: 0 }, "team:acme/ops": { level: 0 } };
    const both = rules({ users: ["hubot"], orgs: ["acme"], teams: ["acme/ops"] });
    expect(ask({ rules: both, facts })).toMatchObject({
      verdict: "refused",
      reason: "not on ALLOWED_USERS; not an active member of acme; not an active member of acme/ops",
    });
    expect(ask({ rules: both, facts, rulesOf: "rule" })).toMatchObject({
      reason: expect.stringMatching(/^not among the users this location allows;/),
    });
  });

  it("names at most six reasons and counts the rest", () => {
    const orgs = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"];
    const facts = Object.fromEntries(orgs.map((org) => [`org:${org}`, { level: 0 }]));
    const decision = ask({ rules: rules({ orgs }), facts });
    expect(decision).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/; and 2 more$/) });
  });

  it("says single sign-on is needed, with the organisation and GitHub's address, rather than refusing", () => {
    const facts: AccessFacts = { "org:ssocorp": { level: 0, ssoUrl: "https://github.com/orgs/ssocorp/sso" }, "org:acme": { level: 0 } };
    expect(ask({ rules: rules({ orgs: ["acme", "ssocorp"] }), facts })).toEqual({
      verdict: "sso",
      org: "ssocorp",
      url: "https://github.com/orgs/ssocorp/sso",
      reason: "not an active member of acme; SAML single sign-on not authorized for ssocorp",
    });
  });

  it("names the organisations a GitHub App could not see", () => {
    const facts: AccessFacts = { "team:globex/ops": { level: 0, appCannotSee: true }, "org:globex": { level: 0, appCannotSee: true } };
    expect(ask({ rules: rules({ orgs: ["globex"], teams: ["globex/ops"] }), facts })).toMatchObject({
      verdict: "refused",
      unseenOrgs: ["globex"],
    });
  });

  it("asks GitHub first when the last decision may not stand, even for a listed login", () => {
    const standing = { mustConfirm: true };
    expect(ask({ rules: rules({ users: ["octocat"], orgs: ["acme"] }), standing })).toEqual({ verdict: "unknown", missing: ["org:acme"] });
    expect(ask({ rules: rules({ orgs: ["acme"] }), facts: { "org:acme": { level: 1 } }, standing: { mustConfirm: false } }).verdict).toBe(
      "allowed",
    );
  });

  it("is unconfirmed when GitHub had to be asked and already failed to answer, and only then", () => {
    const failed = { unconfirmedSince: 1_000 };
    expect(
      ask({ rules: rules({ orgs: ["acme"] }), facts: { "org:acme": { level: 1 } }, standing: { mustConfirm: true, ...failed } }).verdict,
    ).toBe("unconfirmed");
    // A fact the lists added since is just as much a question GitHub failed to answer.
    expect(ask({ rules: rules({ orgs: ["acme"] }), standing: { mustConfirm: false, ...failed } }).verdict).toBe("unconfirmed");
    // Nothing to ask: the mark of an earlier failure does not refuse.
    expect(
      ask({ rules: rules({ orgs: ["acme"] }), facts: { "org:acme": { level: 1 } }, standing: { mustConfirm: false, ...failed } }).verdict,
    ).toBe("allowed");
  });
});
