// ALLOWED_USERS / ALLOWED_ORGS: when either is set, only those logins, or members of those
// organisations, may sign in. Both empty means anyone with a GitHub account.
import type { Config } from "../config/config.js";
import type { GitHubClient } from "../github/client.js";

export async function isAllowed(login: string, accessToken: string, config: Config, github: GitHubClient): Promise<boolean> {
  if (config.allowedUsers.length === 0 && config.allowedOrgs.length === 0) return true;
  if (config.allowedUsers.includes(login.toLowerCase())) return true;
  for (const org of config.allowedOrgs) {
    if (await github.isOrgMember(accessToken, org)) return true;
  }
  return false;
}
