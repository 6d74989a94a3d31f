// The consent page (GET /login/oauth/authorize) and the error pages shown in its place. Both come
// from views/emulator/authorize.eta. The page lives at <base>/login/oauth/authorize, so the relative
// URLs "../../assets/…" and "../../avatars/…" work at "/" and under a mount path like "/_emulator".
import type { Response } from "express";
import type { Eta } from "eta";
import type { EmulatorClient, EmulatorUser } from "./types.js";

const RELATIVE_ROOT = "../../";

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  user: "Read and write your profile, including private email addresses",
  "read:user": "Read your profile",
  "user:email": "Read your email addresses",
  "read:org": "Read your organization and team membership",
  "write:org": "Read and write organization membership",
  "admin:org": "Fully manage organizations",
  repo: "Full control of private repositories",
  public_repo: "Access public repositories",
  gist: "Create gists",
};

export interface ConsentPage {
  client: EmulatorClient;
  scopes: string[];
  users: EmulatorUser[];
  /** The account to preselect (the `login` hint), else the first one. */
  suggestedLogin: string | undefined;
  redirectUri: string;
  hiddenFields: Record<string, string>;
}

export function sendConsentPage(response: Response, views: Eta, page: ConsentPage): void {
  const suggested = page.users.find((user) => user.login.toLowerCase() === page.suggestedLogin?.toLowerCase()) ?? page.users[0];
  const html = views.render("authorize", {
    root: RELATIVE_ROOT,
    error: null,
    appName: page.client.name,
    // GitHub Apps use permissions, not scopes, so their consent page lists none.
    scopes:
      page.client.type === "oauth-app" ? page.scopes.map((name) => ({ name, description: SCOPE_DESCRIPTIONS[name] ?? "" })) : [],
    users: page.users.map((user) => ({ id: user.id, login: user.login, name: user.name, checked: user === suggested })),
    redirectUri: page.redirectUri,
    hiddenFields: Object.entries(page.hiddenFields).map(([name, value]) => ({ name, value })),
  });
  sendHtml(response, 200, html);
}

export function sendErrorPage(response: Response, views: Eta, status: number, title: string, message: string): void {
  sendHtml(response, status, views.render("authorize", { root: RELATIVE_ROOT, error: { title, message } }));
}

function sendHtml(response: Response, status: number, html: string): void {
  // A consent page must never be framed (clickjacking) or cached (it carries state and PKCE values).
  response.setHeader("X-Frame-Options", "DENY");
  response.setHeader("Cache-Control", "no-store");
  response.status(status).type("html").send(html);
}
