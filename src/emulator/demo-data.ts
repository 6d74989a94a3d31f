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

/** The demo's organisations, teams and repositories (none beyond the users' organisations yet). */
export const DEMO_ORGS: EmulatorOrg[] = [];
export const DEMO_TEAMS: EmulatorTeam[] = [];
export const DEMO_REPOS: EmulatorRepo[] = [];

/**
 * A GitHub App with expiring tokens (GitHub's default for new apps) and one exact callback. Its id
 * and secret come from whoever runs the emulator: in demo mode, the server's own configuration.
 */
export function demoClient(callbackUrl: string, { clientId, clientSecret }: Pick<EmulatorClient, "clientId" | "clientSecret">): EmulatorClient {
  return {
    clientId,
    clientSecret,
    name: "GitHub Login Server (demo)",
    type: "github-app",
    expiringTokens: true,
    callbackUrls: [{ url: callbackUrl, wildcard: false }],
  };
}
