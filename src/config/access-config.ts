// Who may sign in and stay signed in (SPEC §7): ALLOWED_USERS, ALLOWED_ORGS, ALLOWED_TEAMS and
// ALLOWED_REPOS, read by the same parser as the per-route rules of /auth/check, so an entry is
// accepted, refused and lowercased the same way in both places.
import { NO_RULES, parseAccessRules, type AccessRules } from "./access-rules.js";
import type { ParsedEnvironment } from "./schema.js";

export function readAccessRules(env: ParsedEnvironment, errors: string[]): AccessRules {
  const parsed = parseAccessRules(
    { users: env.ALLOWED_USERS, orgs: env.ALLOWED_ORGS, teams: env.ALLOWED_TEAMS, repos: env.ALLOWED_REPOS },
    { users: "ALLOWED_USERS", orgs: "ALLOWED_ORGS", teams: "ALLOWED_TEAMS", repos: "ALLOWED_REPOS" },
  );
  if (parsed.ok) return parsed.rules;
  // Every bad entry is told with the other problems; the start is refused, so no rule is kept.
  errors.push(...parsed.errors);
  return NO_RULES;
}
