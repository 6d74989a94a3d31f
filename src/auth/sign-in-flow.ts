// The sign-in flow as a sequence of named checks (SPEC §3). Order matters: GitHub's error
// parameter, then state (match, age, single use) before any call to GitHub, then the code
// exchange with the PKCE verifier, then GET /user, then the allow-lists.
import type { Clock } from "../clock.js";
import type { ClientType, Config } from "../config/config.js";
import { GitHubBadCredentialsError, GitHubOAuthError, GitHubUnavailableError } from "../github/errors.js";
import type { GitHubClient } from "../github/client.js";
import type { GitHubProfile } from "../github/profile.js";
import type { TokenSet } from "../github/token-response.js";
import type { OneTimeMarker } from "../store/one-time-marker.js";
import { checkMemberships, decideAccess, type OrgMemberships } from "./access.js";
import { codeChallengeFor } from "./pkce.js";
import { safeReturnTo } from "./return-to.js";
import { ATTEMPT_LIFETIME_MS, type SignInAttempt, type SignInAttempts } from "./sign-in-attempt.js";
import {
  clientCredentialsRejected,
  codeRefused,
  githubAuthorizeError,
  invalidState,
  notAllowed,
  signInCancelled,
} from "./sign-in-errors.js";

/** Tolerated clock difference between instances when checking an attempt's age. */
const CLOCK_SKEW_MS = 60_000;
const CODE_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

export interface StartedSignIn {
  authorizeUrl: string;
  /** The browser binding to set (again): the browser's own, or a new one. */
  binding: string;
}

export interface CompletedSignIn {
  profile: GitHubProfile;
  profileEtag: string | null;
  tokens: TokenSet;
  clientType: ClientType;
  /** What GitHub said of the memberships the allow-lists name, kept for the checks on every request. */
  orgMemberships: OrgMemberships;
  returnTo: string;
}

export interface SignInFlowDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  attempts: SignInAttempts;
  oneTimeMarker: OneTimeMarker;
}

export function createSignInFlow({ config, clock, github, attempts, oneTimeMarker }: SignInFlowDependencies) {
  function beginSignIn(requestedReturnTo: unknown, currentBinding: string | undefined): StartedSignIn {
    const returnTo = safeReturnTo(requestedReturnTo, config.publicUrl);
    const started = attempts.start(returnTo, clock.now(), currentBinding);
    return {
      authorizeUrl: github.authorizeUrl({
        state: started.state,
        codeChallenge: codeChallengeFor(started.codeVerifier),
        redirectUri: config.callbackUrl,
      }),
      binding: started.binding,
    };
  }

  /** `binding`: the browser binding cookie this request carried. */
  async function completeSignIn(query: Record<string, unknown>, binding: string | undefined): Promise<CompletedSignIn> {
    if (query.error !== undefined) {
      throw query.error === "access_denied" ? signInCancelled() : githubAuthorizeError(String(query.error));
    }
    const attempt = await checkState(query.state, binding);
    const code = query.code;
    if (typeof code !== "string" || !CODE_PATTERN.test(code)) throw codeRefused("missing_or_malformed_code");

    const tokens = await exchange(code, attempt.codeVerifier);
    const { profile, profileEtag } = await withFreshToken(() => signedInUser(tokens.accessToken));
    const orgMemberships = await withFreshToken(() => checkMemberships(profile.login, tokens.accessToken, config, github));
    if (decideAccess(profile.login, orgMemberships, config) !== "allowed") {
      // A token for someone who may not sign in has no use here: it does not outlive the refusal.
      await github.revokeToken(tokens.accessToken).catch(() => false);
      throw notAllowed(profile.login);
    }
    return { profile, profileEtag, tokens, clientType: clientTypeOf(tokens), orgMemberships, returnTo: attempt.returnTo };
  }

  /** GET /user with the new token (the user may have switched accounts on GitHub: key on its answer). */
  async function signedInUser(accessToken: string): Promise<{ profile: GitHubProfile; profileEtag: string | null }> {
    const user = await github.fetchUser(accessToken);
    if (user.notModified) throw new GitHubUnavailableError("GET /user answered 304 without If-None-Match");
    const profile = user.profile.email ? user.profile : { ...user.profile, email: await primaryEmailOrNull(accessToken) };
    return { profile, profileEtag: user.etag };
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

  async function checkState(state: unknown, binding: string | undefined): Promise<SignInAttempt> {
    if (!attempts.isWellFormedState(state)) throw invalidState("missing or malformed");
    const attempt = attempts.open(state, binding);
    if (!attempt) throw invalidState("not sealed here, or started in another browser");
    const age = clock.now() - attempt.createdAt;
    if (!(age <= ATTEMPT_LIFETIME_MS && age >= -CLOCK_SKEW_MS)) throw invalidState("expired");
    const firstUse = await oneTimeMarker.claim(`signin:${attempt.nonce}`, ATTEMPT_LIFETIME_MS + CLOCK_SKEW_MS);
    if (!firstUse) throw invalidState("already used");
    return attempt;
  }

  async function exchange(code: string, codeVerifier: string): Promise<TokenSet> {
    try {
      return await github.exchangeCode({ code, codeVerifier, redirectUri: config.callbackUrl });
    } catch (error) {
      if (!(error instanceof GitHubOAuthError)) throw error;
      throw error.oauthError === "incorrect_client_credentials" ? clientCredentialsRejected() : codeRefused(error.oauthError);
    }
  }

  async function primaryEmailOrNull(accessToken: string): Promise<string | null> {
    try {
      return await github.fetchPrimaryEmail(accessToken);
    } catch {
      return null; // the email is a nicety; sign-in does not depend on it
    }
  }

  function clientTypeOf(tokens: TokenSet): ClientType {
    if (config.github.clientType !== "auto") return config.github.clientType;
    return tokens.accessToken.startsWith("ghu_") ? "github-app" : "oauth-app";
  }

  return { beginSignIn, completeSignIn };
}

export type SignInFlow = ReturnType<typeof createSignInFlow>;
