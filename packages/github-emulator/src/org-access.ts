// The refusals organisation data comes with on GitHub: a missing scope reads as 404 (GitHub hides
// what the token may not see), a GitHub App not installed on the organisation gets 403 "Resource not
// accessible by integration", and SAML single sign-on gets 403 with an X-GitHub-SSO URL [protocol §11].
import { randomBytes } from "node:crypto";
import type { Response } from "express";
import type { ApiCaller } from "./api-caller.js";
import { notFoundBody } from "./api-response.js";
import type { Directory, OrgRecord } from "./directory.js";
import { webBase } from "./request-context.js";
import { hasScope } from "./scopes.js";

export interface Refusal {
  status: number;
  body: Record<string, string>;
  headers?: Record<string, string>;
}

/** What GET /user/memberships/orgs/{org} and the team membership endpoint accept (X-Accepted-OAuth-Scopes). */
export const MEMBERSHIP_SCOPES = ["admin:org", "read:org", "repo", "user", "write:org"];

const SSO_DOCS = "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/";

export const notFound = (): Refusal => ({ status: 404, body: notFoundBody() });

/** OAuth tokens need one of `accepted` (or a scope covering one); GitHub App user tokens use permissions. */
export function lacksScope(caller: ApiCaller, accepted: string[]): boolean {
  return caller.isOAuthApp && !accepted.some((scope) => hasScope(caller.token.scopes, scope));
}

/** A GitHub App user token reaches only what both the user and the app can (octokit.js discussion #2139). */
export function integrationRefusal(caller: ApiCaller, directory: Directory, org: OrgRecord, documentationUrl: string): Refusal | undefined {
  if (caller.isOAuthApp || directory.appInstalled(caller.client, org.login)) return undefined;
  return {
    status: 403,
    body: { message: "Resource not accessible by integration", documentation_url: documentationUrl },
    headers: { "X-Accepted-GitHub-Permissions": "members=read" },
  };
}

/** The organisation's own endpoints name the URL where the user authorizes the token (GitHub docs, SAML). */
export function ssoRefusal(response: Response, caller: ApiCaller, directory: Directory, org: OrgRecord): Refusal | undefined {
  if (!directory.ssoRequired(caller.user, org)) return undefined;
  const request = randomBytes(20).toString("hex").toUpperCase();
  return {
    status: 403,
    body: {
      message: "Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.",
      documentation_url: SSO_DOCS,
    },
    headers: { "X-GitHub-SSO": `required; url=${webBase(response)}/orgs/${org.login}/sso?authorization_request=${request}` },
  };
}

/** List endpoints leave SAML-protected organisations out and say which, by id. */
export function partialResultsHeader(orgIds: number[]): Record<string, string> {
  if (orgIds.length === 0) return {};
  return { "X-GitHub-SSO": `partial-results; organizations=${[...new Set(orgIds)].join(",")}` };
}
