// Whether the signed-in user is an active member of an organisation (ALLOWED_ORGS). A pending
// invitation is not membership, and neither is any answer other than 200.
import type { GitHubContext } from "./github-call.js";
import { callAsUser } from "./user-api.js";

export async function isOrgMember(context: GitHubContext, accessToken: string, org: string): Promise<boolean> {
  const answer = await callAsUser(context, "GET /user/memberships/orgs/{org}", accessToken, { parameters: { org } });
  return answer.status === 200 && (answer.data as { state?: unknown } | null)?.state === "active";
}
