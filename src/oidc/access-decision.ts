// Who may use an OpenID Connect client, decided by the server's one access gate (SPEC §7, §9): the
// only file of the provider that asks it, so the provider follows the gate wherever it goes. A
// client's users/orgs/teams/repos are a rule like a per-route rule of /auth/check, on top of the
// server's lists: at the authorization the browser's session is admitted with that rule, exactly
// as `/auth/check?teams=…` would admit it; at a refresh the grant's own session is admitted again,
// waiting for GitHub where a decision is due (as /api/me does), so a user who lost access gets
// invalid_grant and new claims carry memberships as they are now. Groups are the orgs and teams
// the client's rule and `groups` name that the user is an active member of (auth/access.ts); the
// facts for `groups` beyond the rule are learned like a rule's, and a refusal by them refuses nothing.
//
// A grant's session uses its parent's GitHub token (grant-tokens.ts), so the gate here is the
// server's gate (auth/access-gate.ts, with its revalidation and rule facts) built on that token
// source; for every other session, the browser's included, it does what the server's own does.
import type { Logger } from "pino";
import type { Request, Response } from "express";
import type { BackgroundTasks } from "../background-tasks.js";
import type { Clock } from "../clock.js";
import { isEmptyRules, type AccessRules } from "../config/access-rules.js";
import type { Config } from "../config/config.js";
import type { OidcClient } from "../config/oidc-config.js";
import { AppError } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import type { SessionReader, SignedInSession } from "../http/session-reader.js";
import type { Sealer } from "../sealer.js";
import type { Locks } from "../store/locks.js";
import type { SessionEntries } from "../store/session-entries.js";
import { createAccessGate, type AdmitOptions } from "../auth/access-gate.js";
import { groupsOf, requiredFacts } from "../auth/access.js";
import type { SessionEndReason } from "../auth/audit.js";
import { createRevalidation } from "../auth/revalidation.js";
import { createRuleFacts } from "../auth/rule-facts.js";
import type { SignedInRecord } from "../auth/session-record.js";
import { readRecord } from "../auth/session-updates.js";
import type { TokenRefresher } from "../auth/token-refresh.js";
import { grantTokenRefresher } from "./grant-tokens.js";

export interface AccessDecisionDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  entries: SessionEntries;
  locks: Locks;
  sealer: Sealer;
  logger: Logger;
  background: BackgroundTasks;
  /** The server's refresher (browser and device sessions). */
  refresher: TokenRefresher;
  /** Who is signed in (the browser at the authorization). */
  sessions: SessionReader;
  /** Ends any session the gate finds over; a grant's also at the provider (grant-sessions.ts). */
  endSession: (sessionId: string, record: SignedInRecord, reason: SessionEndReason) => Promise<void>;
}

/** What the client hears instead of an authorization: refused, or GitHub could not confirm now. */
const BROWSER_REFUSALS = new Set(["not_allowed", "sso_required", "access_unconfirmed"]);

export type BrowserDecision = { session: SignedInSession | null } | { refused: AppError; user: { id: number; login: string } };

/** What learning the facts of `groups` may meet without failing the decision already made. */
const GROUP_LEARNING_MISSES = new Set(["not_allowed", "sso_required", "access_unconfirmed", "too_many_requests"]);

export function createAccessDecision(deps: AccessDecisionDependencies) {
  const { entries } = deps;
  const gate = grantAwareGate(deps);
  const ruleOf = (client: OidcClient): AdmitOptions => (isEmptyRules(client.rules) ? {} : { routeRules: client.rules });

  /** Learns the facts of `groups` the rule does not name; a refusal by them refuses nothing. */
  async function withGroupFacts(sessionId: string, record: SignedInRecord, client: OidcClient): Promise<SignedInRecord> {
    const extra = extraGroups(client);
    if (!extra) return record;
    try {
      return await gate.admit(sessionId, record, { routeRules: extra });
    } catch (error) {
      if (!(error instanceof AppError) || !GROUP_LEARNING_MISSES.has(error.code)) throw error;
      // Not in any of them, or GitHub could not say now: the groups are what is known.
      return (await readRecord(entries, sessionId)) ?? record;
    }
  }

  return {
    /**
     * At the authorization: the browser's signed-in session when its user may use `client` (null
     * when signed out), or the gate's refusal (not_allowed, sso_required) or why it could not
     * decide now (access_unconfirmed), with whose session it was. Other failures are thrown. Only
     * a session the browser's cookie names is the browser's: a program's session token (Bearer,
     * SPEC §8) is for /api/*, /auth/check and /auth/logout, so alone it counts as signed out here.
     */
    async forBrowser(request: Request, response: Response, client: OidcClient): Promise<BrowserDecision> {
      const signedIn = await deps.sessions.signedIn(request, response);
      if (signedIn?.credential !== "cookie") return { session: null };
      try {
        const admitted = await gate.admit(signedIn.sessionId, signedIn.record, ruleOf(client));
        return { session: { ...signedIn, record: await withGroupFacts(signedIn.sessionId, admitted, client) } };
      } catch (error) {
        if (!(error instanceof AppError) || !BROWSER_REFUSALS.has(error.code)) throw error;
        return { refused: error, user: signedIn.record.user };
      }
    },
    /** At a refresh: decided again, asking GitHub first what is due (one revalidation across instances). */
    async forRefresh(sessionId: string, record: SignedInRecord, client: OidcClient): Promise<SignedInRecord> {
      const admitted = await gate.admit(sessionId, record, { ...ruleOf(client), waitForGitHub: true });
      return withGroupFacts(sessionId, admitted, client);
    },
    /** When a token is used (userinfo): decided on what is known, a due revalidation running behind. */
    forUse: (sessionId: string, record: SignedInRecord, client: OidcClient): Promise<SignedInRecord> =>
      gate.admit(sessionId, record, ruleOf(client)),
    /** The orgs and teams reported to `client` that the user is an active member of. */
    groupsFor: (record: SignedInRecord, client: OidcClient): string[] => groupsOf(record.access, client.rules, client.groups),
  };
}

export type AccessDecision = ReturnType<typeof createAccessDecision>;

/** The server's access gate, its revalidation and rule facts, on a refresher that knows a grant's session takes its parent's GitHub token. */
function grantAwareGate(deps: AccessDecisionDependencies) {
  const { entries, logger } = deps;
  const endGrant = (sessionId: string, record: SignedInRecord) => deps.endSession(sessionId, record, "authorization_gone");
  const refresher = grantTokenRefresher({ refresher: deps.refresher, entries, sealer: deps.sealer, logger, endGrant });
  const revalidation = createRevalidation({ ...deps, refresher, endSession: deps.endSession });
  const ruleFacts = createRuleFacts({ ...deps, refresher });
  return createAccessGate({ config: deps.config, revalidation, refresher, ruleFacts, logger });
}

const extraByClient = new WeakMap<OidcClient, AccessRules | null>();

/** `groups` entries the client's rule does not name already, as a rule of their own; null for none. */
function extraGroups(client: OidcClient): AccessRules | null {
  if (extraByClient.has(client)) return extraByClient.get(client)!;
  const named = requiredFacts(client.rules);
  const orgs = client.groups.orgs.filter((org) => !named.has(`org:${org}`));
  const teams = client.groups.teams.filter((team) => !named.has(`team:${team}`));
  const extra = orgs.length + teams.length > 0 ? { users: [], orgs, teams, repos: [] } : null;
  extraByClient.set(client, extra);
  return extra;
}
