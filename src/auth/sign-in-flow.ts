// The sign-in pipeline, end to end, as a sequence of named steps (SPEC §3). Order matters: GitHub's
// error parameter, then the state (match, age, single use) before any call to GitHub, then the code
// exchange with the PKCE verifier, GET /user, the allow-lists; only then are the tokens sealed, a
// session started under a new id (so an id planted or seen before sign-in is worthless after it)
// and indexed under the user. Tokens never leave auth/: the route gets back where to send the browser.
import type { Clock } from "../clock.js";
import type { ClientType, Config } from "../config/config.js";
import { createHostTable } from "../config/host-table.js";
import type { AuthorizePrompt } from "../github/authorize-url.js";
import type { GitHubClient } from "../github/client.js";
import type { GitHubProfile } from "../github/profile.js";
import type { TokenSet } from "../github/token-response.js";
import { AppError } from "../errors.js";
import type { Sealer } from "../sealer.js";
import type { OneTimeMarker } from "../store/one-time-marker.js";
import type { UserSessions } from "../store/user-sessions.js";
import type { AccessFacts } from "./access.js";
import { codeChallengeFor } from "./pkce.js";
import { safeReturnToOrProtected } from "./return-to.js";
import type { SignInAttempts } from "./sign-in-attempt.js";
import { startSession, type NewSession } from "./session-start.js";
import { checkState } from "./sign-in-state.js";
import { checkAllowLists, clientTypeOf, exchangeCode, fetchSignedInUser, refuseAuthorizeError, requireCode } from "./sign-in-steps.js";

export interface SignInOptions {
  /** `select_account`: GitHub's account picker, for "use another account" (SPEC §3, §7). */
  prompt?: AuthorizePrompt | null;
  /** The protected host a handed-over sign-in is for (handoff-flow.ts); else judged from returnTo. */
  forHost?: string | null;
}

export interface StartedSignIn {
  authorizeUrl: string;
  /** The browser binding to set (again): the browser's own, or a new one. */
  binding: string;
}

/** What GitHub said at sign-in, before it is sealed into the session record (session-record.ts). */
export interface CompletedSignIn {
  profile: GitHubProfile;
  profileEtag: string | null;
  tokens: TokenSet;
  clientType: ClientType;
  /** What GitHub said of the memberships and permissions the lists name, kept for the checks on every request. */
  access: AccessFacts;
  returnTo: string;
  /** The protected host the sign-in was for; null or absent for the login host (GET /api/sessions shows it). */
  forHost?: string | null;
}

export interface SignedIn {
  userId: number;
  login: string;
  /** Where the browser goes now: a returnTo checked when the sign-in started. */
  returnTo: string;
}

/** A sign-in the server's lists refused, with where it was going: what its page may make of it (oidc/sign-in-refusals.ts). */
export interface RefusedSignIn {
  refusal: AppError;
  returnTo: string;
  user: { id: number; login: string };
  /** The browser binding the sign-in's state was checked against. */
  binding: string;
}

/** The error a refused sign-in answers with; by default the refusal itself. */
export type RefusalAnswer = (refused: RefusedSignIn) => AppError;

/** What the lists answer with a page of their own; any other failure stays what it is. */
const REFUSALS = new Set(["not_allowed", "sso_required"]);

export interface SignInFlowDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  sealer: Sealer;
  attempts: SignInAttempts;
  oneTimeMarker: OneTimeMarker;
  userSessions: UserSessions;
}

export function createSignInFlow(deps: SignInFlowDependencies) {
  const { config, clock, github, attempts } = deps;
  const { protectedHostOf } = createHostTable(config.publicUrl, config.protectedHosts);

  /** Where a sign-in started on the login host may end: a path here, or an absolute URL on a protected host. */
  const returnToOf = (requested: unknown) => safeReturnToOrProtected(requested, config.publicUrl, protectedHostOf);

  /**
   * The protected host a sign-in ending on `returnTo` is for: an absolute returnTo names it (the
   * browser ends there, signed in); a path is the login host's own (null).
   */
  const hostOfReturnTo = (returnTo: string) => (returnTo.startsWith("/") ? null : (protectedHostOf(new URL(returnTo))?.host ?? null));

  /** `currentBinding`: the browser binding cookie this request carried, if any. */
  function beginSignIn(requestedReturnTo: unknown, currentBinding: string | undefined, options: SignInOptions = {}): StartedSignIn {
    const returnTo = returnToOf(requestedReturnTo);
    const forHost = options.forHost ?? hostOfReturnTo(returnTo);
    const started = attempts.start(returnTo, clock.now(), currentBinding, forHost);
    const codeChallenge = codeChallengeFor(started.codeVerifier);
    const authorizeUrl = github.authorizeUrl({
      state: started.state,
      codeChallenge,
      redirectUri: config.callbackUrl,
      prompt: options.prompt ?? null,
    });
    return { authorizeUrl, binding: started.binding };
  }

  /**
   * The callback: `callbackQuery` as the browser sent it, `binding` the browser binding cookie it
   * carried, `session` how this request starts a session (the route supplies it), `answerRefusal` what a list's refusal answers.
   */
  async function completeSignIn(
    callbackQuery: Record<string, unknown>,
    binding: string | undefined,
    session: NewSession,
    answerRefusal: RefusalAnswer = ({ refusal }) => refusal,
  ): Promise<SignedIn> {
    refuseAuthorizeError(callbackQuery);
    const attempt = await checkState(callbackQuery.state, binding, deps);
    const code = requireCode(callbackQuery.code);
    const tokens = await exchangeCode(code, attempt.codeVerifier, deps);
    const user = await fetchSignedInUser(tokens.accessToken, deps);
    const access = await checkAllowLists(user.profile.login, tokens, deps).catch((error: unknown) => {
      throw refusedTo(error, attempt.returnTo, user.profile, binding!, answerRefusal);
    });
    const completed: CompletedSignIn = {
      ...user,
      tokens,
      clientType: clientTypeOf(tokens, config),
      access,
      returnTo: attempt.returnTo,
      forHost: attempt.forHost,
    };
    const { record } = await startSession(completed, attempt.forHost ? { host: attempt.forHost } : {}, session, deps);
    return { userId: record.user.id, login: record.user.login, returnTo: attempt.returnTo };
  }

  return { returnToOf, beginSignIn, completeSignIn };
}

export type SignInFlow = ReturnType<typeof createSignInFlow>;

/** A refusal by the lists, as `answerRefusal` makes it for where the sign-in was going; any other failure as it is. */
function refusedTo(error: unknown, returnTo: string, user: GitHubProfile, binding: string, answerRefusal: RefusalAnswer): unknown {
  if (!(error instanceof AppError) || !REFUSALS.has(error.code)) return error;
  return answerRefusal({ refusal: error, returnTo, user: { id: user.id, login: user.login }, binding });
}
