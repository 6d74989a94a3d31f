// How a session's access facts are merged and aged (src/auth/access-facts.ts): the lists' facts
// and a rule's, the cap of MAX_FACTS_PER_SESSION, and which route facts are due.
import { describe, expect, it } from "@jest/globals";
import {
  MAX_FACTS_PER_SESSION,
  mergeFacts,
  oldestRouteCheck,
  routeFactsCheckedBefore,
  routeFactsOf,
  listFactsOf,
} from "../../src/auth/access-facts.js";
import type { AccessFacts } from "../../src/auth/access.js";

const routeFacts = (count: number, checkedAt: number, prefix = "org:r"): AccessFacts =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, { level: 1, checkedAt: checkedAt + index }]));

describe("mergeFacts", () => {
  it("puts what was just learned on top of what the session holds", () => {
    const merged = mergeFacts(
      { "org:acme": { level: 1 }, "team:acme/ops": { level: 0, checkedAt: 1 } },
      { "team:acme/ops": { level: 1, checkedAt: 2 } },
      new Set(),
    );
    expect(merged).toEqual({ "org:acme": { level: 1 }, "team:acme/ops": { level: 1, checkedAt: 2 } });
  });

  it("keeps at most MAX_FACTS_PER_SESSION, making room by dropping the oldest route facts", () => {
    const held = routeFacts(MAX_FACTS_PER_SESSION, 100);
    const merged = mergeFacts(held, { "org:new": { level: 1, checkedAt: 500 } }, new Set());
    expect(Object.keys(merged)).toHaveLength(MAX_FACTS_PER_SESSION);
    expect(merged["org:r0"]).toBeUndefined();
    expect(merged["org:r1"]).toBeDefined();
    expect(merged["org:new"]).toBeDefined();
  });

  it("never drops a fact the server's lists need, nor one just learned", () => {
    const held: AccessFacts = { "org:listed": { level: 1 }, ...routeFacts(MAX_FACTS_PER_SESSION - 1, 100) };
    const added = routeFacts(2, 900, "org:added");
    const merged = mergeFacts(held, added, new Set(["org:listed"]));
    expect(Object.keys(merged)).toHaveLength(MAX_FACTS_PER_SESSION);
    expect(merged["org:listed"]).toBeDefined();
    expect(merged["org:added0"]).toBeDefined();
    expect(merged["org:added1"]).toBeDefined();
    expect(merged["org:r0"]).toBeUndefined();
    expect(merged["org:r1"]).toBeUndefined();
  });
});

describe("route facts and list facts", () => {
  const facts: AccessFacts = { "org:acme": { level: 1 }, "org:b": { level: 1, checkedAt: 300 }, "team:c/d": { level: 0, checkedAt: 100 } };

  it("tells a rule's facts (answered at a moment) from the lists' (renewed with the profile)", () => {
    expect(Object.keys(routeFactsOf(facts))).toEqual(["org:b", "team:c/d"]);
    expect(Object.keys(listFactsOf(facts))).toEqual(["org:acme"]);
  });

  it("names the route facts due, the longest unanswered first, and the oldest answer", () => {
    expect(routeFactsCheckedBefore(facts, 301)).toEqual(["team:c/d", "org:b"]);
    expect(routeFactsCheckedBefore(facts, 300)).toEqual(["team:c/d"]);
    expect(oldestRouteCheck(facts)).toBe(100);
    expect(oldestRouteCheck({ "org:acme": { level: 1 } })).toBeNull();
  });
});
