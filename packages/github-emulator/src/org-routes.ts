// An organisation's own endpoints read with a user token: the caller's organisation membership and
// someone's team membership. The checks run in GitHub's order: the app's installation, the token's
// scopes, the caller's membership, then SAML single sign-on [protocol §11].
import express, { type Request, type Response, type Router } from "express";
import { apiCaller, authenticateUser } from "./api-caller.js";
import { send } from "./api-send.js";
import type { Directory } from "./directory.js";
import { integrationRefusal, lacksScope, MEMBERSHIP_SCOPES, notFound, ssoRefusal, type Refusal } from "./org-access.js";
import { orgMembershipJson, teamMembershipJson } from "./org-json.js";
import type { RateLimiter } from "./rate-limit.js";
import { apiBase, webBase } from "./request-context.js";
import type { EmulatorState } from "./state.js";

const ORG_MEMBERSHIP_DOCS = "https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user";
const TEAM_MEMBERSHIP_DOCS = "https://docs.github.com/rest/teams/members#get-team-membership-for-a-user";

export function orgRoutes(store: EmulatorState, directory: Directory, limiter: RateLimiter): Router {
  const router = express.Router();
  const authenticated = authenticateUser(store, limiter);
  const answer = (request: Request, response: Response, result: Refusal | { body: unknown }) => {
    if ("status" in result) send(request, response, limiter, MEMBERSHIP_SCOPES, result.status, result.body, result.headers);
    else send(request, response, limiter, MEMBERSHIP_SCOPES, 200, result.body);
  };

  router.get("/user/memberships/orgs/:org", authenticated, (request, response) => {
    const caller = apiCaller(response);
    const org = directory.org(String(request.params.org));
    const membership = org && directory.membership(caller.user, org);
    const refusal =
      (org && integrationRefusal(caller, directory, org, ORG_MEMBERSHIP_DOCS)) ||
      (!org || !membership || lacksScope(caller, MEMBERSHIP_SCOPES) ? notFound() : ssoRefusal(response, caller, directory, org));
    if (refusal || !org || !membership) {
      answer(request, response, refusal ?? notFound());
      return;
    }
    answer(request, response, { body: orgMembershipJson(caller.user, org, membership, bases(response)) });
  });

  // Only members of the organisation see its teams: anyone else gets 404, as for a missing team.
  router.get("/orgs/:org/teams/:team_slug/memberships/:username", authenticated, (request, response) => {
    const caller = apiCaller(response);
    const org = directory.org(String(request.params.org));
    const visible = org && !lacksScope(caller, MEMBERSHIP_SCOPES) && directory.isActiveMember(caller.user, org);
    const refusal =
      (org && integrationRefusal(caller, directory, org, TEAM_MEMBERSHIP_DOCS)) ||
      (visible ? ssoRefusal(response, caller, directory, org) : notFound());
    const team = org && directory.team(org, String(request.params.team_slug));
    const login = String(request.params.username);
    const member = team?.members.get(login.toLowerCase());
    if (refusal || !team || !member) {
      answer(request, response, refusal ?? notFound());
      return;
    }
    const user = store.userByLogin(login);
    answer(request, response, { body: teamMembershipJson(team, user?.login ?? login, member, bases(response)) });
  });

  return router;
}

function bases(response: Response) {
  return { web: webBase(response), api: apiBase(response) };
}
