// GET /repos/{owner}/{repo} with a user token: the repository and the caller's own permissions.
// A repository the caller may not see is 404, never 403 (GitHub does not confirm it exists): private
// without a role on it, private with an OAuth token lacking `repo`, or a GitHub App not installed on
// its owner [protocol §11]. Members of a SAML organisation still need an authorized token.
import express, { type Router } from "express";
import { apiCaller, authenticateUser, type ApiCaller } from "./api-caller.js";
import { send } from "./api-send.js";
import type { Directory, RepoRecord } from "./directory.js";
import { lacksScope, notFound, ssoRefusal, type Refusal } from "./org-access.js";
import { repoJson } from "./org-json.js";
import type { RepoPermission } from "./org-types.js";
import type { RateLimiter } from "./rate-limit.js";
import { apiBase, webBase } from "./request-context.js";
import type { EmulatorState } from "./state.js";

const REPO_SCOPES = ["repo"];

export function repoRoutes(store: EmulatorState, directory: Directory, limiter: RateLimiter): Router {
  const router = express.Router();
  router.get("/repos/:owner/:repo", authenticateUser(store, limiter), (request, response) => {
    const caller = apiCaller(response);
    const repo = directory.repo(String(request.params.owner), String(request.params.repo));
    const role = repo && roleOf(caller, repo);
    const org = repo && !directory.ownerIsUser(repo.owner) ? directory.org(repo.owner) : undefined;
    const refusal: Refusal | undefined =
      !repo || !visible(caller, directory, repo, role) ? notFound() : org ? ssoRefusal(response, caller, directory, org) : undefined;
    if (refusal || !repo) {
      const { status, body, headers } = refusal ?? notFound();
      send(request, response, limiter, REPO_SCOPES, status, body, headers);
      return;
    }
    const user = directory.ownerIsUser(repo.owner);
    const owner = user
      ? { login: user.login, id: user.id, type: "User" as const }
      : { login: org?.login ?? repo.owner, id: org?.id ?? 0, type: "Organization" as const };
    send(request, response, limiter, REPO_SCOPES, 200, repoJson(repo, owner, role, { web: webBase(response), api: apiBase(response) }));
  });
  return router;
}

/** An explicit role, else pull on a public repository (anyone may read it). */
function roleOf(caller: ApiCaller, repo: RepoRecord): RepoPermission | undefined {
  return repo.permissions.get(caller.user.login.toLowerCase()) ?? (repo.private ? undefined : "read");
}

function visible(caller: ApiCaller, directory: Directory, repo: RepoRecord, role: RepoPermission | undefined): boolean {
  if (!caller.isOAuthApp && !directory.appInstalled(caller.client, repo.owner)) return false;
  if (!repo.private) return true;
  return role !== undefined && !lacksScope(caller, REPO_SCOPES);
}
