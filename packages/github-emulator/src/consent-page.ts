// The consent page (GET /login/oauth/authorize) and the error pages shown in its place. Both come
// from views/authorize.eta. The page lives at <base>/login/oauth/authorize, so the relative
// URLs "../../assets/…" and "../../avatars/…" work at "/" and under a mount path like "/_emulator".
import type { Response } from "express";
import type { Eta } from "eta";
import { sendHtml } from "./html-page.js";
import { NO_SCOPE_DESCRIPTION, SCOPE_DESCRIPTIONS } from "./scope-descriptions.js";
import type { EmulatorClient, EmulatorUser } from "./types.js";

const RELATIVE_ROOT = "../../";

export interface ConsentPage {
  client: EmulatorClient;
  /** Normalised (what the token will carry); always empty for GitHub Apps. */
  scopes: string[];
  /** OAuth App `offline_access`: this sign-in gets an expiring token and a refresh token. */
  offlineAccess: boolean;
  /** The `scope` parameter as sent, which a GitHub App ignores (the page says so). */
  requestedScope: string | undefined;
  users: EmulatorUser[];
  /** The account to preselect (the `login` hint), else the first one. */
  suggestedLogin: string | undefined;
  /** `prompt=select_account`: GitHub's account picker, where the person chooses and nothing is preselected. */
  accountPicker: boolean;
  redirectUri: string;
  hiddenFields: Record<string, string>;
}

export function sendConsentPage(response: Response, views: Eta, page: ConsentPage): void {
  const suggested = page.accountPicker
    ? undefined
    : (page.users.find((user) => user.login.toLowerCase() === page.suggestedLogin?.toLowerCase()) ?? page.users[0]);
  const html = views.render("authorize", {
    root: RELATIVE_ROOT,
    error: null,
    appName: page.client.name,
    // GitHub Apps use permissions, not scopes, so their consent page lists none and says why.
    isGitHubApp: page.client.type === "github-app",
    scopes: page.client.type === "oauth-app" ? page.scopes.map((name) => ({ name, description: SCOPE_DESCRIPTIONS[name] ?? "" })) : [],
    noScopeDescription: NO_SCOPE_DESCRIPTION,
    offlineAccess: page.client.type === "oauth-app" && page.offlineAccess,
    ignoredScope: page.client.type === "github-app" ? (page.requestedScope ?? null) : null,
    users: page.users.map((user) => ({ id: user.id, login: user.login, name: user.name, checked: user === suggested })),
    accountPicker: page.accountPicker,
    redirectUri: page.redirectUri,
    hiddenFields: Object.entries(page.hiddenFields).map(([name, value]) => ({ name, value })),
  });
  sendHtml(response, 200, html);
}

export function sendErrorPage(response: Response, views: Eta, status: number, title: string, message: string): void {
  sendHtml(response, status, views.render("authorize", { root: RELATIVE_ROOT, error: { title, message } }));
}
