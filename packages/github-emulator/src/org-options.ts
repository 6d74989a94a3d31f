// Defaults and sanity checks for the organisation data of EmulatorOptions. The demo organisations,
// teams and repositories name the demo users, so they are the default only alongside those users.
import { DEMO_ORGS, DEMO_REPOS, DEMO_TEAMS } from "./demo-data.js";
import type { EmulatorOrg, EmulatorRepo, EmulatorTeam, RepoPermission } from "./org-types.js";
import type { EmulatorOptions, EmulatorUser } from "./types.js";

const PERMISSIONS: RepoPermission[] = ["read", "triage", "write", "maintain", "admin"];

export interface OrgData {
  orgs: EmulatorOrg[];
  teams: EmulatorTeam[];
  repos: EmulatorRepo[];
}

export function resolveOrgData(options: EmulatorOptions, users: EmulatorUser[]): OrgData {
  const demo = options.users === undefined;
  // Private copies, as for users and clients: the controls change them in place.
  const data: OrgData = structuredClone({
    orgs: options.orgs ?? (demo ? DEMO_ORGS : []),
    teams: options.teams ?? (demo ? DEMO_TEAMS : []),
    repos: options.repos ?? (demo ? DEMO_REPOS : []),
  });
  const logins = new Set(users.map((user) => user.login.toLowerCase()));
  const known = (login: string, where: string) => {
    if (!logins.has(login.toLowerCase())) throw new Error(`emulator: ${where} names ${login}, who is not one of the users`);
  };
  for (const org of data.orgs) {
    if (org.id !== undefined && !Number.isSafeInteger(org.id))
      throw new Error(`emulator: organisation ${org.login} needs a whole-number id`);
    for (const login of [...(org.admins ?? []), ...(org.ssoAuthorized ?? [])]) known(login, `organisation ${org.login}`);
  }
  for (const team of data.teams) {
    // GitHub derives slugs from names: lowercase, "-" for anything else.
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(team.slug)) throw new Error(`emulator: team slug ${team.slug} is not lowercase with "-"`);
    for (const member of team.members) known(member.login, `team ${team.org}/${team.slug}`);
  }
  for (const repo of data.repos) {
    for (const [login, permission] of Object.entries(repo.permissions)) {
      known(login, `repository ${repo.owner}/${repo.name}`);
      if (!PERMISSIONS.includes(permission))
        throw new Error(`emulator: ${permission} is not a repository role (${PERMISSIONS.join(", ")})`);
    }
  }
  return data;
}
