// What a user the allow-lists refuse is told, as precisely as GitHub lets us say it (SPEC §7): the
// reason, entry by entry (not on ALLOWED_USERS, not an active member of acme/ops, only read on
// acme/app where write is needed, SAML single sign-on not authorized for ssocorp, the app cannot see
// globex), on the page, in the JSON (`reason`) and in the log line (the error's cause); and a way
// on: another GitHub account, or single sign-on (only a link to GitHub's own host, so a forged
// header cannot send people elsewhere) and then a new try. Never a dead end.
import type { Logger } from "pino";
import { AppError, type PageAction } from "../errors.js";
import type { AccessDecision } from "./access-policy.js";
import type { SignedInRecord } from "./session-record.js";
import { notAllowed } from "./sign-in-errors.js";

/** A decision that does not let the user in, as the policy gives it. */
export type Refusal = Exclude<AccessDecision, { verdict: "allowed" }>;

const SIGN_IN_AGAIN: PageAction = { href: "/auth/github", label: "Try again" };
const ANOTHER_ACCOUNT: PageAction = { href: "/auth/github?prompt=select_account", label: "Sign in with another GitHub account" };

/** The error for a user the rules do not let in; tells the operator when the app cannot see an organisation. */
export function refusalFor(
  record: SignedInRecord,
  decision: Refusal,
  githubBaseUrl: string,
  logger: Logger,
  retryAfterSeconds = 1,
): AppError {
  if (decision.verdict === "refused" && decision.unseenOrgs.length > 0) {
    logger.warn(
      { userId: record.user.id, orgs: decision.unseenOrgs },
      "the GitHub App cannot see these organisations: install it there, with Members: read, or their members are refused",
    );
  }
  return refusalError(record.user.login, decision, githubBaseUrl, retryAfterSeconds);
}

/** The one answer for each verdict that is not "allowed" (`retryAfterSeconds`: for "unconfirmed"). */
export function refusalError(login: string, refusal: Refusal, githubBaseUrl: string, retryAfterSeconds = 1): AppError {
  switch (refusal.verdict) {
    case "unknown":
      return notAllowed(login); // asked and still unknown: the session ended meanwhile
    case "unconfirmed":
      return accessUnconfirmed(retryAfterSeconds, refusal.reason);
    case "sso":
      return ssoRequired(refusal.org, onHost(refusal.url, githubBaseUrl) ? refusal.url : null);
    case "refused":
      return refusal.unseenOrgs.length > 0
        ? appCannotSee(login, refusal.unseenOrgs, refusal.reason)
        : notAllowedBecause(login, refusal.reason);
  }
}

export function notAllowedBecause(login: string, reason: string) {
  return new AppError("not_allowed", `The GitHub account @${login} is not allowed here: ${reason}.`, {
    heading: "Not allowed",
    cause: new Error(`refused: ${reason}`),
    next: ANOTHER_ACCOUNT,
    details: { reason },
  });
}

export function ssoRequired(org: string, ssoUrl: string | null) {
  const reason = `SAML single sign-on not authorized for ${org}`;
  return new AppError(
    "sso_required",
    `The organisation ${org} requires SAML single sign-on, and this sign-in has not been authorized for it yet. ` +
      (ssoUrl ? "Sign in with its identity provider through GitHub, then try again." : "Authorize it on GitHub, then try again."),
    {
      heading: "Single sign-on required",
      cause: new Error(`refused: ${reason}`),
      ...(ssoUrl
        ? { next: { href: ssoUrl, label: `Single sign-on for ${org}` }, also: SIGN_IN_AGAIN, details: { ssoUrl, reason } }
        : { next: SIGN_IN_AGAIN, details: { reason } }),
    },
  );
}

function appCannotSee(login: string, orgs: string[], reason: string) {
  const names = orgs.join(", ");
  return new AppError(
    "not_allowed",
    `@${login} could not be checked against ${names}: the GitHub App behind this sign-in is not installed there (or may not read its members). An owner of ${names} has to install it.`,
    { heading: "Not allowed", cause: new Error(`refused: ${reason}`), next: ANOTHER_ACCOUNT, details: { reason } },
  );
}

/** GitHub has not confirmed the decision within ACCESS_MAX_STALE (or a revocation asks for it first): refused, session kept. */
export function accessUnconfirmed(retryAfterSeconds: number, why: string) {
  return new AppError(
    "access_unconfirmed",
    "GitHub could not confirm that this account may still use this site. Please try again in a moment.",
    {
      heading: "Access not confirmed",
      cause: new Error(`access unconfirmed: ${why}`),
      retryAfterSeconds,
    },
  );
}

/** A session met more new organisations, teams and repositories than a window allows (rule-facts.ts). */
export function tooManyNewRules(limit: number, windowSeconds: number, retryAfterSeconds: number) {
  const reason = `this session met more than ${limit} organisations, teams or repositories it was not checked against within ${windowSeconds} seconds`;
  return new AppError(
    "too_many_requests",
    `Too many new access rules for this session at once. Please try again in ${retryAfterSeconds} seconds.`,
    {
      heading: "Too many new access rules",
      cause: new Error(`refused: ${reason}`),
      retryAfterSeconds,
      details: { reason },
    },
  );
}

/** True when `url` is an http(s) address on the host of GITHUB_BASE_URL. */
function onHost(url: string, githubBaseUrl: string): boolean {
  try {
    const target = new URL(url);
    const github = new URL(githubBaseUrl);
    return (
      (target.protocol === "https:" || target.protocol === "http:") && target.protocol === github.protocol && target.host === github.host
    );
  } catch {
    return false;
  }
}
