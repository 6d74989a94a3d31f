// Demo accounts and the demo client, so a person can try sign-in without a GitHub account. The three
// users cover the cases a login server must handle: a public email (octocat), only a private verified
// email (monalisa: GET /user says email null, /user/emails has it), and no verified primary email
// (hubot: GitHub refuses the token with unverified_user_email).
import type { EmulatorOrg, EmulatorRepo, EmulatorTeam } from "./org-types.js";
import type { EmulatorClient, EmulatorUser } from "./types.js";

export const DEMO_USERS: EmulatorUser[] = [
  {
    id: 583231,
    login: "octocat",
    name: "The Octocat",
    email: "octocat@github.com",
    company: "@github",
    location: "San Francisco",
    bio: null,
    createdAt: "2011-01-25T18:44:36Z",
    emails: [{ email: "octocat@github.com", primary: true, verified: true, visibility: "public" }],
    orgs: ["github"],
    // Invited to octo-org (and its ops team) without having accepted: pending is not membership.
    pendingOrgs: ["octo-org"],
  },
  {
    id: 1000001,
    login: "monalisa",
    name: "Mona Lisa Octocat",
    email: null,
    company: null,
    location: "Paris",
    bio: "Enigmatic smile, private email.",
    createdAt: "2014-03-14T09:26:53Z",
    emails: [
      { email: "mona@example.com", primary: true, verified: true, visibility: "private" },
      { email: "1000001+monalisa@users.noreply.github.com", primary: false, verified: true, visibility: null },
    ],
    orgs: ["octo-org"],
  },
  {
    id: 480938,
    login: "hubot",
    name: null,
    email: null,
    company: null,
    location: null,
    bio: null,
    createdAt: "2010-11-04T22:58:59Z",
    emails: [{ email: "hubot@example.com", primary: true, verified: false, visibility: "private" }],
    orgs: [],
  },
];

/**
 * Memberships that make each allow-list rule visibly decide something between the demo users:
 * ALLOWED_TEAMS=octo-org/ops lets monalisa in and keeps octocat (pending) out;
 * ALLOWED_REPOS=octo-org/handbook:write lets octocat in (write) and keeps monalisa (read) out.
 */
export const DEMO_ORGS: EmulatorOrg[] = [
  { login: "github", id: 9919 },
  { login: "octo-org", id: 6811672, admins: ["monalisa"] },
];

export const DEMO_TEAMS: EmulatorTeam[] = [
  {
    org: "octo-org",
    slug: "ops",
    name: "Ops",
    id: 2650377,
    members: [
      { login: "monalisa", state: "active", role: "maintainer" },
      { login: "octocat", state: "pending", role: "member" },
    ],
  },
  { org: "github", slug: "docs", name: "Docs", id: 1861371, members: [{ login: "octocat", state: "active", role: "member" }] },
];

export const DEMO_REPOS: EmulatorRepo[] = [
  { owner: "octo-org", name: "handbook", id: 715253, private: true, permissions: { octocat: "write", monalisa: "read" } },
  { owner: "octocat", name: "Hello-World", id: 1296269, private: false, permissions: { octocat: "admin" } },
];

/**
 * A GitHub App with expiring tokens (GitHub's default for new apps) and one exact callback. Its id
 * and secret come from whoever runs the emulator: in demo mode, the server's own configuration.
 */
export function demoClient(
  callbackUrl: string,
  { clientId, clientSecret }: Pick<EmulatorClient, "clientId" | "clientSecret">,
): EmulatorClient {
  return {
    clientId,
    clientSecret,
    name: "GitHub Login Server (demo)",
    type: "github-app",
    expiringTokens: true,
    callbackUrls: [{ url: callbackUrl, wildcard: false }],
  };
}
