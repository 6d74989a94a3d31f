// The address of GitHub's authorize page for one sign-in, with PKCE (S256) which octokit's helper
// does not add, scopes only where they mean something, and GitHub's account picker when asked for.
import type { GitHubConfig } from "../config/config.js";

/** `select_account`: GitHub shows its account picker even to a browser signed in there (the only value GitHub knows). */
export type AuthorizePrompt = "select_account";

export interface AuthorizeParams {
  state: string;
  codeChallenge: string;
  redirectUri: string;
  prompt?: AuthorizePrompt | null;
}

export function authorizeUrl(config: GitHubConfig, { state, codeChallenge, redirectUri, prompt }: AuthorizeParams): string {
  const url = new URL(`${config.baseUrl}/login/oauth/authorize`);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  // GitHub Apps ignore scopes (they use permissions); in auto mode sending them is harmless.
  if (config.clientType !== "github-app" && config.scopes.length > 0) url.searchParams.set("scope", config.scopes.join(" "));
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (prompt) url.searchParams.set("prompt", prompt);
  return url.toString();
}
