// The sign-in steps that talk to GitHub, run only after the state check (sign-in-state.ts): the
// code exchange with the PKCE verifier, GET /user, and the allow-lists. Each step turns GitHub's
// answers into the error a browser should see (sign-in-errors.ts), and a token for someone the
// allow-lists refuse is revoked at once, so it never outlives the refusal.
import type { ClientType, Config } from "../config/config.js";
import { GitHubBadCredentialsError, GitHubOAuthError, GitHubUnavailableError } from "../github/errors.js";
import type { GitHubClient } from "../github/client.js";
import type { GitHubProfile } from "../github/profile.js";
import type { TokenSet } from "../github/token-response.js";
import { requiredFacts, serverRules, type AccessFacts } from "./access.js";
import { decideAccess } from "./access-policy.js";
import { askGitHub } from "./access-facts.js";
import { refusalError } from "./access-refusals.js";
import { clientCredentialsRejected, codeRefused, githubAuthorizeError, signInCancelled } from "./sign-in-errors.js";

const CODE_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

export interface GitHubStepDependencies {
  config: Config;
  github: GitHubClient;
}

export interface SignedInUser {
  profile: GitHubProfile;
  profileEtag: string | null;
}

/** GitHub's `?error=` on the callback: the user cancelled, or GitHub could not start the sign-in. */
export function refuseAuthorizeError(callbackQuery: Record<string, unknown>): void {
  const { error } = callbackQuery;
  if (error === undefined) return;
  throw error === "access_denied" ? signInCancelled() : githubAuthorizeError(String(error));
}

export function requireCode(code: unknown): string {
  if (typeof code !== "string" || !CODE_PATTERN.test(code)) throw codeRefused("missing_or_malformed_code");
  return code;
}

export async function exchangeCode(code: string, codeVerifier: string, { config, github }: GitHubStepDependencies): Promise<TokenSet> {
  try {
    return await github.exchangeCode({ code, codeVerifier, redirectUri: config.callbackUrl });
  } catch (error) {
    if (!(error instanceof GitHubOAuthError)) throw error;
    throw error.oauthError === "incorrect_client_credentials" ? clientCredentialsRejected() : codeRefused(error.oauthError);
  }
}

/** GET /user with the new token (the user may have switched accounts on GitHub: key on its answer). */
export async function fetchSignedInUser(accessToken: string, { github }: GitHubStepDependencies): Promise<SignedInUser> {
  return withFreshToken(async () => {
    const user = await github.fetchUser(accessToken);
    if (user.notModified) throw new GitHubUnavailableError("GET /user answered 304 without If-None-Match");
    const profile = user.profile.email ? user.profile : { ...user.profile, email: await primaryEmailOrNull(accessToken, github) };
    return { profile, profileEtag: user.etag };
  });
}

/** The memberships and permissions the lists name, when they let this user in; revokes the new token otherwise. */
export async function checkAllowLists(login: string, tokens: TokenSet, { config, github }: GitHubStepDependencies): Promise<AccessFacts> {
  const rules = serverRules(config);
  const access = await withFreshToken(() => askGitHub(github, tokens.accessToken, login, requiredFacts(rules).keys()));
  const decision = decideAccess({ login, facts: access, rules });
  if (decision.verdict === "allowed") return access;
  await github.revokeToken(tokens.accessToken).catch(() => false);
  throw refusalError(login, decision, config.github.baseUrl);
}

export function clientTypeOf(tokens: TokenSet, config: Config): ClientType {
  if (config.github.clientType !== "auto") return config.github.clientType;
  return tokens.accessToken.startsWith("ghu_") ? "github-app" : "oauth-app";
}

/** A token GitHub issued a moment ago and now calls bad credentials means GitHub is misbehaving. */
async function withFreshToken<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GitHubBadCredentialsError) throw new GitHubUnavailableError("GitHub refused the token it had just issued", error);
    throw error;
  }
}

async function primaryEmailOrNull(accessToken: string, github: GitHubClient): Promise<string | null> {
  try {
    return await github.fetchPrimaryEmail(accessToken);
  } catch {
    return null; // the email is a nicety; sign-in does not depend on it
  }
}
