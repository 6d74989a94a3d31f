// Who belongs where: organisations (with their SAML enforcement), teams, repositories and GitHub App
// installations. Organisation membership itself stays on the users (`orgs` = active, `pendingOrgs`),
// so the existing user data keeps meaning what it meant. Logins are compared case-insensitively.
import { crc32 } from "node:zlib";
import type { EmulatorOrg, EmulatorRepo, EmulatorTeam, MembershipState, RepoPermission } from "./org-types.js";
import type { EmulatorClient, EmulatorUser } from "./types.js";
import { orgId } from "./user-json.js";

export interface OrgRecord {
  login: string;
  id: number;
  admins: Set<string>;
  samlEnforced: boolean;
  ssoAuthorized: Set<string>;
}

export interface TeamMemberRecord {
  state: MembershipState;
  role: "member" | "maintainer";
}

export interface TeamRecord {
  org: OrgRecord;
  slug: string;
  name: string;
  id: number;
  /** By lowercase login. */
  members: Map<string, TeamMemberRecord>;
}

export interface RepoRecord {
  owner: string;
  name: string;
  id: number;
  private: boolean;
  /** By lowercase login. */
  permissions: Map<string, RepoPermission>;
}

/** Per GitHub App: installed everywhere except `accounts`, or only on `accounts`. */
interface Installations {
  everywhere: boolean;
  accounts: Set<string>;
}

const lower = (name: string) => name.toLowerCase();
const stableId = (base: number, key: string) => base + (crc32(lower(key)) % 100_000_000);

export class Directory {
  private readonly orgs = new Map<string, OrgRecord>();
  private readonly teams = new Map<string, TeamRecord>();
  private readonly repos = new Map<string, RepoRecord>();
  private readonly installations = new Map<string, Installations>();

  constructor(
    private readonly users: EmulatorUser[],
    clients: EmulatorClient[],
    data: { orgs: EmulatorOrg[]; teams: EmulatorTeam[]; repos: EmulatorRepo[] },
  ) {
    for (const org of data.orgs) this.addOrg(org);
    for (const user of users) for (const org of [...user.orgs, ...(user.pendingOrgs ?? [])]) this.ensureOrg(org);
    for (const team of data.teams) this.addTeam(team);
    for (const repo of data.repos) this.addRepo(repo);
    for (const client of clients) {
      if (client.type !== "github-app") continue;
      const accounts = new Set((client.installedOn ?? []).map(lower));
      this.installations.set(client.clientId, { everywhere: client.installedOn === undefined, accounts });
    }
  }

  org(login: string): OrgRecord | undefined {
    return this.orgs.get(lower(login));
  }

  orgById(id: number): OrgRecord | undefined {
    return [...this.orgs.values()].find((org) => org.id === id);
  }

  ensureOrg(login: string): OrgRecord {
    return this.org(login) ?? this.addOrg({ login });
  }

  /** The user's membership of an organisation, as GET /user/memberships/orgs/{org} reports it. */
  membership(user: EmulatorUser, org: OrgRecord): { state: MembershipState; role: "admin" | "member" } | undefined {
    const named = (list: string[] | undefined) => (list ?? []).some((name) => lower(name) === lower(org.login));
    const state = named(user.orgs) ? "active" : named(user.pendingOrgs) ? "pending" : undefined;
    return state && { state, role: org.admins.has(lower(user.login)) ? "admin" : "member" };
  }

  isActiveMember(user: EmulatorUser, org: OrgRecord): boolean {
    return this.membership(user, org)?.state === "active";
  }

  /** Organisations where the user is active, in the order of their `orgs`. */
  activeOrgs(user: EmulatorUser): OrgRecord[] {
    return user.orgs.map((login) => this.ensureOrg(login));
  }

  /**
   * SAML single sign-on stands between this user's token and the organisation: it enforces SAML,
   * the user is an active member, and has not authorized their tokens for it [protocol §11].
   */
  ssoRequired(user: EmulatorUser, org: OrgRecord): boolean {
    return org.samlEnforced && this.isActiveMember(user, org) && !org.ssoAuthorized.has(lower(user.login));
  }

  team(org: OrgRecord, slug: string): TeamRecord | undefined {
    return this.teams.get(`${lower(org.login)}/${lower(slug)}`);
  }

  ensureTeam(org: OrgRecord, slug: string): TeamRecord {
    return this.team(org, slug) ?? this.addTeam({ org: org.login, slug: lower(slug), name: slug, members: [] });
  }

  /** Teams where the user is an active member (and an active member of the team's organisation). */
  activeTeams(user: EmulatorUser): TeamRecord[] {
    return [...this.teams.values()].filter(
      (team) => team.members.get(lower(user.login))?.state === "active" && this.isActiveMember(user, team.org),
    );
  }

  /** Every team that names the user, active or pending, whatever their organisation membership. */
  teamsNaming(user: EmulatorUser): { team: TeamRecord; member: TeamMemberRecord }[] {
    return [...this.teams.values()].flatMap((team) => {
      const member = team.members.get(lower(user.login));
      return member ? [{ team, member }] : [];
    });
  }

  /** Every repository where the user has a role of their own (a public one is readable by anyone anyway). */
  reposNaming(user: EmulatorUser): { repo: RepoRecord; permission: RepoPermission }[] {
    return [...this.repos.values()].flatMap((repo) => {
      const permission = repo.permissions.get(lower(user.login));
      return permission ? [{ repo, permission }] : [];
    });
  }

  /** Drops the user from every team of the organisation (leaving an organisation leaves its teams). */
  leaveTeamsOf(user: EmulatorUser, org: OrgRecord): void {
    for (const team of this.teams.values()) if (team.org === org) team.members.delete(lower(user.login));
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${lower(owner)}/${lower(name)}`);
  }

  ensureRepo(owner: string, name: string, isPrivate: boolean): RepoRecord {
    return this.repo(owner, name) ?? this.addRepo({ owner, name, private: isPrivate, permissions: {} });
  }

  /** Organisations or users (any account): an organisation owns it when no user has that login. */
  ownerIsUser(owner: string): EmulatorUser | undefined {
    return this.users.find((user) => lower(user.login) === lower(owner));
  }

  /** OAuth Apps reach every account; a GitHub App's user token only accounts it is installed on. */
  appInstalled(client: EmulatorClient, account: string): boolean {
    const installations = this.installations.get(client.clientId);
    if (!installations) return true;
    return installations.everywhere !== installations.accounts.has(lower(account));
  }

  setAppInstalled(account: string, installed: boolean, clientId?: string): void {
    for (const [id, installations] of this.installations) {
      if (clientId !== undefined && id !== clientId) continue;
      const listed = installations.everywhere ? !installed : installed;
      if (listed) installations.accounts.add(lower(account));
      else installations.accounts.delete(lower(account));
    }
  }

  private addOrg(org: EmulatorOrg): OrgRecord {
    const record: OrgRecord = {
      login: org.login,
      id: org.id ?? orgId(org.login),
      admins: new Set((org.admins ?? []).map(lower)),
      samlEnforced: org.samlEnforced ?? false,
      ssoAuthorized: new Set((org.ssoAuthorized ?? []).map(lower)),
    };
    this.orgs.set(lower(org.login), record);
    return record;
  }

  private addTeam(team: EmulatorTeam): TeamRecord {
    const org = this.ensureOrg(team.org);
    const members = new Map(team.members.map((member) => [lower(member.login), { state: member.state, role: member.role }] as const));
    const record: TeamRecord = {
      org,
      slug: lower(team.slug),
      name: team.name,
      id: team.id ?? stableId(1_000_000, `${org.login}/${team.slug}`),
      members,
    };
    this.teams.set(`${lower(org.login)}/${record.slug}`, record);
    return record;
  }

  private addRepo(repo: EmulatorRepo): RepoRecord {
    if (!this.ownerIsUser(repo.owner)) this.ensureOrg(repo.owner);
    const permissions = new Map(Object.entries(repo.permissions).map(([login, role]) => [lower(login), role] as const));
    const record: RepoRecord = {
      owner: repo.owner,
      name: repo.name,
      id: repo.id ?? stableId(200_000_000, `${repo.owner}/${repo.name}`),
      private: repo.private,
      permissions,
    };
    this.repos.set(`${lower(repo.owner)}/${lower(repo.name)}`, record);
    return record;
  }
}
