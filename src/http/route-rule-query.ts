// The per-route rule in a /auth/check query (SPEC §7): `users`, `orgs`, `teams`, `repos`, each at
// most once, each a non-empty comma-separated list of entries that parse, at most MAX_RULE_ENTRIES
// in all. A rule fails closed: anything else in the query — another parameter (`team=`, `TEAMS=`,
// `teams[]=`), a parameter given twice, an empty list or entry, an entry that does not parse — is
// 400 invalid_rule for everyone, never a pass, since a narrowing the server does not understand
// must not turn into no narrowing at all. What a problem says names parameters and positions, never
// the values, which a client may have written (a log line must not repeat them).
import { parse as parseQuery } from "node:querystring";
import { isEmptyRules, MAX_RULE_ENTRIES, parseAccessRules, type AccessRules } from "../config/access-rules.js";
import { invalidRule } from "../errors.js";

const RULE_PARAMETERS = ["users", "orgs", "teams", "repos"] as const;
type RuleParameter = (typeof RULE_PARAMETERS)[number];
const NAMES = { users: "users", orgs: "orgs", teams: "teams", repos: "repos" };
/** How much of an unknown parameter's name a problem repeats, and how many of them. */
const SHOWN_NAME_LENGTH = 24;
const SHOWN_NAMES = 4;

/** The rule in a query string (without the `?`); null when it names none. Throws invalid_rule (400). */
export function parseRouteRule(query: string): AccessRules | null {
  // Parsed as Express's own query parser does (node:querystring), every key kept.
  const parameters = parseQuery(query, "&", "=", { maxKeys: 0 });
  const unknown = Object.keys(parameters).filter((name) => !(RULE_PARAMETERS as readonly string[]).includes(name));
  if (unknown.length > 0)
    fail(`unknown parameter${unknown.length > 1 ? "s" : ""} ${shownNames(unknown)}; a rule has only users, orgs, teams and repos`);
  const lists: { [list in RuleParameter]?: string } = {};
  for (const name of RULE_PARAMETERS) {
    const value = parameters[name];
    if (value === undefined) continue;
    if (typeof value !== "string") fail(`${name} is given more than once; give it once, as a comma-separated list`);
    const entries = value.split(",").map((entry) => entry.trim());
    if (entries.every((entry) => entry === "")) fail(`${name} is an empty list`);
    if (entries.some((entry) => entry === "")) fail(`${name} has an empty entry`);
    lists[name] = value;
  }
  const parsed = parseAccessRules(lists, NAMES, MAX_RULE_ENTRIES, false);
  if (!parsed.ok) fail(parsed.errors.join("; "));
  const { rules } = parsed;
  const count = rules.users.length + rules.orgs.length + rules.teams.length + rules.repos.length;
  if (count > MAX_RULE_ENTRIES) fail(`the rule names ${count} entries; at most ${MAX_RULE_ENTRIES}`);
  return isEmptyRules(rules) ? null : rules;
}

function fail(problem: string): never {
  throw invalidRule(`This /auth/check rule is not understood, so it lets nobody through: ${problem}.`, problem);
}

/** Unknown parameter names as a problem repeats them: shortened, printable, a few. */
function shownNames(names: string[]): string {
  const shown = names.slice(0, SHOWN_NAMES).map((name) => `"${name.slice(0, SHOWN_NAME_LENGTH).replace(/[^\w.[\]-]/g, "?")}"`);
  return names.length > SHOWN_NAMES ? `${shown.join(", ")} and ${names.length - SHOWN_NAMES} more` : shown.join(", ");
}
