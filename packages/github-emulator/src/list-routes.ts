// GET /user/teams and GET /user/orgs: where the caller is an active member, paginated. A GitHub App
// user token sees only organisations the app is installed on. Organisations enforcing SAML that the
// token is not authorized for are left out, and X-GitHub-SSO says which (by id) [protocol §11].
import express, { type Request, type Response, type Router } from "express";
import { apiCaller, authenticateUser, type ApiCaller } from "./api-caller.js";
import { send } from "./api-send.js";
import type { Directory, OrgRecord } from "./directory.js";
import { lacksScope, notFound, partialResultsHeader } from "./org-access.js";
import { teamJson } from "./org-json.js";
import { paginate } from "./pagination.js";
import type { RateLimiter } from "./rate-limit.js";
import { apiBase, webBase } from "./request-context.js";
import type { EmulatorState } from "./state.js";
import { orgJson } from "./user-json.js";

const TEAM_SCOPES = ["read:org", "repo", "user"];
const ORG_SCOPES = ["admin:org", "read:org", "user", "write:org"];

export function listRoutes(store: EmulatorState, directory: Directory, limiter: RateLimiter): Router {
  const router = express.Router();
  const authenticated = authenticateUser(store, limiter);
  const list = <T extends { org: OrgRecord }>(
    request: Request,
    response: Response,
    scopes: string[],
    items: T[],
    json: (item: T) => unknown,
  ) => {
    const caller = apiCaller(response);
    const reachable = items.filter(({ org }) => caller.isOAuthApp || directory.appInstalled(caller.client, org.login));
    const withheld = reachable.filter(({ org }) => directory.ssoRequired(caller.user, org));
    const page = paginate(
      request,
      response,
      reachable.filter((item) => !withheld.includes(item)),
    );
    const headers = { ...page.headers, ...partialResultsHeader(withheld.map(({ org }) => org.id)) };
    send(request, response, limiter, scopes, 200, page.items.map(json), headers);
  };

  router.get("/user/teams", authenticated, (request, response) => {
    const caller: ApiCaller = apiCaller(response);
    if (lacksScope(caller, TEAM_SCOPES)) {
      const { status, body } = notFound();
      send(request, response, limiter, TEAM_SCOPES, status, body);
      return;
    }
    const teams = directory.activeTeams(caller.user);
    list(request, response, TEAM_SCOPES, teams, (team) => teamJson(team, bases(response)));
  });

  router.get("/user/orgs", authenticated, (request, response) => {
    const orgs = directory.activeOrgs(apiCaller(response).user).map((org) => ({ org }));
    list(request, response, ORG_SCOPES, orgs, ({ org }) => orgJson(org, bases(response)));
  });

  return router;
}

function bases(response: Response) {
  return { web: webBase(response), api: apiBase(response) };
}
