// The OAuth application endpoints: check a token, revoke it, or delete the user's whole grant.
// They authenticate the app (Basic client_id:client_secret), not the user, so they still answer
// for a token GitHub no longer honours: 404/422 means "not known (any more)".
import type { GitHubContext } from "./github-call.js";
import { GitHubUnavailableError } from "./errors.js";

export const checkToken = (context: GitHubContext, accessToken: string) =>
  appTokenCall(context, "POST /applications/{client_id}/token", accessToken);

export const revokeToken = (context: GitHubContext, accessToken: string) =>
  appTokenCall(context, "DELETE /applications/{client_id}/token", accessToken);

export const deleteAuthorization = (context: GitHubContext, accessToken: string) =>
  appTokenCall(context, "DELETE /applications/{client_id}/grant", accessToken);

async function appTokenCall({ config, call }: GitHubContext, route: string, accessToken: string): Promise<boolean> {
  const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64");
  const answer = await call(route, {
    baseUrl: config.serverApiUrl,
    client_id: config.clientId,
    access_token: accessToken,
    headers: { authorization: `basic ${basic}` },
  });
  if (answer.status === 204 || answer.status === 200) return true;
  if (answer.status === 404 || answer.status === 422) return false;
  throw new GitHubUnavailableError(`${route}: HTTP ${answer.status}`);
}
