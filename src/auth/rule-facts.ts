// The facts a per-route rule needs that the session has not met yet (SPEC §7): asked of GitHub once,
// on the request that first meets the rule, then kept with the session, where the revalidation
// renews them with the rest. The hot path of `/auth/check` stays one Redis read for every rule the
// session has met before.
import type { Config } from "../config/config.js";
import { sessionEnded } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import type { SessionEntries } from "../store/session-entries.js";
import { requiredFacts, serverRules } from "./access.js";
import { askGitHub, markForRoute, mergeFacts } from "./access-facts.js";
import type { SignedInRecord } from "./session-record.js";
import { updateRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

export interface RuleFactsDependencies {
  config: Config;
  github: GitHubClient;
  entries: SessionEntries;
  refresher: TokenRefresher;
}

export function createRuleFacts(deps: RuleFactsDependencies) {
  return {
    /** Asks GitHub for `keys` with the session's token and stores the answers; the record as now stored. */
    async learn(sessionId: string, record: SignedInRecord, keys: string[]): Promise<SignedInRecord> {
      const { record: current, result: answers } = await deps.refresher.withUserToken(sessionId, record, (accessToken) =>
        askGitHub(deps.github, accessToken, record.user.login, keys),
      );
      const learned = markForRoute(answers, () => true);
      const serverKeys = new Set(requiredFacts(serverRules(deps.config)).keys());
      const written = await updateRecord(deps.entries, sessionId, (latest) => ({ ...latest, access: mergeFacts(latest.access, learned, serverKeys) }));
      if (!written) throw sessionEnded();
      return { ...current, access: written.access ?? {} };
    },
  };
}

export type RuleFacts = ReturnType<typeof createRuleFacts>;
