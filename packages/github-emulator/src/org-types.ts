// Organisations, teams, repositories and SAML single sign-on: the data tests and the demo configure,
// and the controls that change it while the emulator runs. Memberships are named by login, as
// GitHub's own settings pages do; the REST answers key everything by numeric id.

export type MembershipState = "active" | "pending";

/** GitHub's repository roles, lowest first; each one includes the ones before it. */
export type RepoPermission = "read" | "triage" | "write" | "maintain" | "admin";

export interface EmulatorOrg {
  login: string;
  /** Default: a stable number derived from the login. */
  id?: number;
  /** Logins whose membership role is "admin" (everyone else is a "member"). */
  admins?: string[];
  /** The organisation enforces SAML single sign-on; default false. */
  samlEnforced?: boolean;
  /** Logins whose tokens (current and future) are authorized for the organisation's SAML. */
  ssoAuthorized?: string[];
}

export interface EmulatorTeamMember {
  login: string;
  /** "pending": invited with the team, not yet an organisation member; only "active" counts. */
  state: MembershipState;
  role: "member" | "maintainer";
}

export interface EmulatorTeam {
  org: string;
  /** Lowercase with "-", as GitHub derives it from the name. */
  slug: string;
  name: string;
  members: EmulatorTeamMember[];
  /** Default: a stable number derived from org and slug. */
  id?: number;
}

export interface EmulatorRepo {
  /** A user's login or an organisation's. */
  owner: string;
  name: string;
  private: boolean;
  /** Role by login. Anyone may pull a public repository; a private one is invisible to others. */
  permissions: Record<string, RepoPermission>;
  /** Default: a stable number derived from the full name. */
  id?: number;
}

/** Run-time changes for tests, by login. Each one shows in the next API answer (new body, new ETag). */
export interface EmulatorOrgControls {
  /** Invites (pending), adds (active) or removes (null) the user; removal also drops their teams there. */
  setOrgMembership(login: string, org: string, state: MembershipState | null): void;
  /** `team` is "org/slug"; a missing team is created (named after the slug), a role defaults to "member". */
  setTeamMembership(login: string, team: string, state: MembershipState | null, options?: { role?: "member" | "maintainer" }): void;
  /** `repo` is "owner/name"; a missing repository is created (public unless `private` says otherwise). */
  setRepoPermission(login: string, repo: string, permission: RepoPermission | null, options?: { private?: boolean }): void;
  enforceSaml(org: string, enforced: boolean): void;
  /** As if the user had followed the X-GitHub-SSO URL: their tokens now reach the organisation. */
  authorizeSso(login: string, org: string): void;
  /** Installs or uninstalls every GitHub App client (or only `clientId`) on an account. */
  setAppInstalled(account: string, installed: boolean, clientId?: string): void;
}
