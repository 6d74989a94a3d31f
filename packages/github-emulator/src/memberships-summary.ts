// What each user belongs to, as the about page lists it: organisations, teams (active or pending)
// and repository roles, read from the live Directory, so a run-time change (setTeamMembership, …)
// shows on the next page load. Names are written the way allow-lists and per-route rules spell them
// (`org`, `org/team-slug`, `owner/repo:permission`), so a person can copy them into a rule.
import type { Directory } from "./directory.js";
import type { EmulatorUser } from "./types.js";

export interface MembershipLine {
  /** As a rule names it: "octo-org", "octo-org/ops", "octo-org/handbook:write". */
  name: string;
  /** "active member", "active admin", "active maintainer" or "pending invitation": only active counts. */
  detail: string;
}

export interface MembershipsSummary {
  orgs: MembershipLine[];
  teams: MembershipLine[];
  repos: MembershipLine[];
}

export function membershipsOf(user: EmulatorUser, directory: Directory): MembershipsSummary {
  const orgNames = [...new Set([...user.orgs, ...(user.pendingOrgs ?? [])])];
  const orgs = orgNames.flatMap((login) => {
    const org = directory.org(login);
    const membership = org && directory.membership(user, org);
    return org && membership ? [{ name: org.login, detail: standing(membership) }] : [];
  });
  const teams = directory.teamsNaming(user).map(({ team, member }) => ({
    name: `${team.org.login}/${team.slug}`,
    detail: standing(member),
  }));
  const repos = directory.reposNaming(user).map(({ repo, permission }) => ({
    name: `${repo.owner}/${repo.name}:${permission}`,
    detail: repo.private ? "private" : "public",
  }));
  return { orgs, teams, repos };
}

/** Active memberships say their role; a pending one is an invitation, whatever role it would bring. */
function standing({ state, role }: { state: "active" | "pending"; role: string }): string {
  return state === "active" ? `active ${role}` : "pending invitation";
}
