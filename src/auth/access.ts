// Who may use this server (SPEC §7): everyone when every allow-list is empty, otherwise a login on
// ALLOWED_USERS or an active member of an organisation on ALLOWED_ORGS. The decision is made at
// sign-in and again on every request: logins against the configuration of this moment, memberships
// from what GitHub said at the last revalidation (kept with the session, renewed at most
// PROFILE_MAX_AGE apart). An organisation the session was never checked against is "unknown",
// not "refused": the configuration changed since, and GitHub has to be asked once.
import type { Config } from "../config/config.js";
import type { GitHubClient } from "../github/client.js";

/** Organisation (lowercase) → whether the user was an active member when GitHub was last asked. */
export type OrgMemberships = Record<string, boolean>;

export type AccessDecision = "allowed" | "refused" | "unknown";

export function decideAccess(login: string, memberships: OrgMemberships | undefined, config: Config): AccessDecision {
  const { allowedUsers, allowedOrgs } = config;
  if (allowedUsers.length === 0 && allowedOrgs.length === 0) return "allowed";
  if (allowedUsers.includes(login.toLowerCase())) return "allowed";
  let unknown = false;
  for (const org of allowedOrgs) {
    const member = memberships?.[org];
    if (member === true) return "allowed";
    if (member === undefined) unknown = true;
  }
  return unknown ? "unknown" : "refused";
}

/**
 * Asks GitHub about every organisation the decision may need: none when the login alone decides
 * (no lists, or on ALLOWED_USERS), all of ALLOWED_ORGS otherwise (in parallel).
 */
export async function checkMemberships(login: string, accessToken: string, config: Config, github: GitHubClient): Promise<OrgMemberships> {
  const { allowedUsers, allowedOrgs } = config;
  if (allowedOrgs.length === 0 || allowedUsers.includes(login.toLowerCase())) return {};
  const answers = await Promise.all(allowedOrgs.map((org) => github.isOrgMember(accessToken, org)));
  return Object.fromEntries(allowedOrgs.map((org, index) => [org, answers[index] === true]));
}
