// What a user the allow-lists refuse is told, as precisely as GitHub lets us say it (SPEC §7): an
// organisation that requires SAML single sign-on (with GitHub's link to it, but only a link to
// GitHub's own host, so a forged header cannot send people elsewhere), a GitHub App that cannot see
// an organisation (the operator has to install it), or plainly not on the lists.
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import type { AccessDecision } from "./access.js";
import type { SignedInRecord } from "./session-record.js";
import { notAllowed } from "./sign-in-errors.js";

type Refusal = Extract<AccessDecision, { verdict: "refused" }>;

/** The error for a user the lists do not let in; tells the operator when the app cannot see an organisation. */
export function refusalFor(record: SignedInRecord, decision: Exclude<AccessDecision, { verdict: "allowed" }>, githubBaseUrl: string, logger: Logger): AppError {
  if (decision.verdict === "unknown") return notAllowed(record.user.login); // asked and still unknown: the session ended meanwhile
  if (decision.unseenOrgs.length > 0) {
    logger.warn({ userId: record.user.id, orgs: decision.unseenOrgs }, "the GitHub App cannot see these organisations: install it there, with Members: read, or their members are refused");
  }
  return refusalError(record.user.login, decision, githubBaseUrl);
}

export function refusalError(login: string, refusal: Refusal, githubBaseUrl: string): AppError {
  if (refusal.sso) return ssoRequired(refusal.sso.org, onHost(refusal.sso.url, githubBaseUrl) ? refusal.sso.url : null);
  if (refusal.unseenOrgs.length > 0) return appCannotSee(login, refusal.unseenOrgs);
  return notAllowed(login);
}

export function ssoRequired(org: string, ssoUrl: string | null) {
  return new AppError(
    "sso_required",
    `The organisation ${org} requires SAML single sign-on, and this sign-in has not been authorized for it yet. ` +
      (ssoUrl ? "Sign in with its identity provider through GitHub, then try again." : "Authorize it on GitHub, then try again."),
    {
      heading: "Single sign-on required",
      ...(ssoUrl ? { next: { href: ssoUrl, label: `Single sign-on for ${org}` }, details: { ssoUrl } } : {}),
    },
  );
}

function appCannotSee(login: string, orgs: string[]) {
  const names = orgs.join(", ");
  return new AppError(
    "not_allowed",
    `@${login} could not be checked against ${names}: the GitHub App behind this sign-in is not installed there (or may not read its members). An owner of ${names} has to install it.`,
    { heading: "Not allowed" },
  );
}

/** True when `url` is an http(s) address on the host of GITHUB_BASE_URL. */
function onHost(url: string, githubBaseUrl: string): boolean {
  try {
    const target = new URL(url);
    const github = new URL(githubBaseUrl);
    return (target.protocol === "https:" || target.protocol === "http:") && target.protocol === github.protocol && target.host === github.host;
  } catch {
    return false;
  }
}
