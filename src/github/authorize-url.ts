// The address of GitHub's authorize page for one sign-in, with PKCE (S256) which octokit's helper
// does not add, and scopes only where they mean something.
import type { GitHubConfig } from "../config/config.js";

export interface AuthorizeParams {
  state: string;
  codeChallenge: string;
  redirectUri: string;
}

export function authorizeUrl(config: GitHubConfig, { state, codeChallenge, redirectUri }: AuthorizeParams): string {
  const url = new URL(`${config.baseUrl}/login/oauth/authorize`);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  // GitHub Apps ignore scopes (they use permissions); in auto mode sending them is harmless.
  if (config.clientType !== "github-app" && config.scopes.length > 0) url.searchParams.set("scope", config.scopes.join(" "));
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}
