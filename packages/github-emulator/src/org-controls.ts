// The run-time controls of organisations, teams, repositories, SAML and app installations. They change
// the data the REST answers are computed from, so the next answer's body (and with it its ETag)
// shows the change: a client revalidating with If-None-Match never gets a 304 that hides it.
import type { Directory } from "./directory.js";
import type { EmulatorOrgControls, MembershipState } from "./org-types.js";
import type { EmulatorUser } from "./types.js";

export function orgControls(directory: Directory, userNamed: (login: string) => EmulatorUser): EmulatorOrgControls {
  const setOrgMembership = (login: string, orgName: string, state: MembershipState | null) => {
    const user = userNamed(login);
    const org = directory.ensureOrg(orgName);
    const others = (list: string[] | undefined) => (list ?? []).filter((name) => name.toLowerCase() !== org.login.toLowerCase());
    user.orgs = others(user.orgs);
    user.pendingOrgs = others(user.pendingOrgs);
    if (state === "active") user.orgs.push(org.login);
    if (state === "pending") user.pendingOrgs.push(org.login);
    if (state === null) directory.leaveTeamsOf(user, org);
  };

  return {
    setOrgMembership,
    setTeamMembership(login, teamName, state, options = {}) {
      const user = userNamed(login);
      const [orgName, slug] = splitPair(teamName, "team", "org/slug");
      const org = directory.ensureOrg(orgName);
      const team = directory.ensureTeam(org, slug);
      if (state === null) {
        team.members.delete(user.login.toLowerCase());
        return;
      }
      // On GitHub, adding someone who is not in the organisation to a team invites them to it:
      // "pending" until they accept. An "active" team member is taken to have accepted.
      const current = directory.membership(user, org)?.state;
      if (current !== "active" && current !== state) setOrgMembership(login, org.login, state);
      const role = options.role ?? team.members.get(user.login.toLowerCase())?.role ?? "member";
      team.members.set(user.login.toLowerCase(), { state, role });
    },
    setRepoPermission(login, repoName, permission, options = {}) {
      const user = userNamed(login);
      const [owner, name] = splitPair(repoName, "repository", "owner/repo");
      const repo = directory.ensureRepo(owner, name, options.private ?? false);
      if (options.private !== undefined) repo.private = options.private;
      if (permission === null) repo.permissions.delete(user.login.toLowerCase());
      else repo.permissions.set(user.login.toLowerCase(), permission);
    },
    enforceSaml(orgName, enforced) {
      directory.ensureOrg(orgName).samlEnforced = enforced;
    },
    authorizeSso(login, orgName) {
      directory.ensureOrg(orgName).ssoAuthorized.add(userNamed(login).login.toLowerCase());
    },
    setAppInstalled: (account, installed, clientId) => directory.setAppInstalled(account, installed, clientId),
  };
}

function splitPair(value: string, what: string, form: string): [string, string] {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(value);
  if (!match?.[1] || !match[2]) throw new Error(`emulator: ${what} "${value}" is not of the form ${form}`);
  return [match[1], match[2]];
}
