// GitHub's JSON shapes for memberships, teams and repositories [GitHub REST docs; rest-api-description
// models org-membership, team-membership, team-full, full-repository]. URLs point at the emulator.
import type { OrgRecord, RepoRecord, TeamMemberRecord, TeamRecord } from "./directory.js";
import type { RepoPermission } from "./org-types.js";
import type { EmulatorUser } from "./types.js";
import { nodeId, orgJson, simpleUserJson, type Bases } from "./user-json.js";

const CREATED_AT = "2020-01-01T00:00:00Z";
const LEVELS: RepoPermission[] = ["read", "triage", "write", "maintain", "admin"];

export function orgMembershipJson(
  user: EmulatorUser,
  org: OrgRecord,
  membership: { state: string; role: string },
  bases: Bases,
): Record<string, unknown> {
  return {
    url: `${bases.api}/orgs/${org.login}/memberships/${user.login}`,
    state: membership.state,
    role: membership.role,
    organization_url: `${bases.api}/orgs/${org.login}`,
    organization: orgJson(org, bases),
    user: simpleUserJson(user, bases),
  };
}

const teamApi = (team: TeamRecord, bases: Bases) => `${bases.api}/organizations/${team.org.id}/team/${team.id}`;

export function teamMembershipJson(team: TeamRecord, login: string, member: TeamMemberRecord, bases: Bases): Record<string, unknown> {
  return { url: `${teamApi(team, bases)}/memberships/${login}`, role: member.role, state: member.state };
}

/** team-full, as GET /user/teams lists it. */
export function teamJson(team: TeamRecord, bases: Bases): Record<string, unknown> {
  const api = teamApi(team, bases);
  return {
    id: team.id,
    node_id: nodeId("Team", team.id),
    url: api,
    html_url: `${bases.web}/orgs/${team.org.login}/teams/${team.slug}`,
    name: team.name,
    slug: team.slug,
    description: null,
    privacy: "closed",
    notification_setting: "notifications_enabled",
    permission: "pull",
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    parent: null,
    members_count: [...team.members.values()].filter((member) => member.state === "active").length,
    repos_count: 0,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    organization: { ...orgJson(team.org, bases), name: team.org.login, html_url: `${bases.web}/${team.org.login}`, type: "Organization" },
  };
}

/** The caller's own permissions: each role includes the lower ones (admin ⊃ maintain ⊃ push ⊃ triage ⊃ pull). */
export function permissionsJson(role: RepoPermission | undefined): Record<string, boolean> {
  const level = role === undefined ? -1 : LEVELS.indexOf(role);
  return { admin: level >= 4, maintain: level >= 3, push: level >= 2, triage: level >= 1, pull: level >= 0 };
}

/** full-repository (the fields clients read, and enough of the rest to look like GitHub's). */
export function repoJson(
  repo: RepoRecord,
  owner: { login: string; id: number; type: "User" | "Organization" },
  role: RepoPermission | undefined,
  bases: Bases,
): Record<string, unknown> {
  const fullName = `${owner.login}/${repo.name}`;
  const api = `${bases.api}/repos/${fullName}`;
  const ownerJson = simpleUserJson(owner, bases, owner.type);
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: ownerJson,
    html_url: `${bases.web}/${fullName}`,
    description: null,
    fork: false,
    url: api,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    git_url: `${bases.web.replace(/^https?:/, "git:")}/${fullName}.git`,
    clone_url: `${bases.web}/${fullName}.git`,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    pushed_at: CREATED_AT,
    visibility: repo.private ? "private" : "public",
    archived: false,
    disabled: false,
    default_branch: "main",
    permissions: permissionsJson(role),
    ...(owner.type === "Organization" ? { organization: ownerJson } : {}),
  };
}
