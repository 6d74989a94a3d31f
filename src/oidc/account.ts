// oidc-provider's accounts are GitHub users (accountId, and `sub`, the user id as a string: logins
// change, ids do not), and each of their grants is a session (SPEC §9 "One session"): every code and
// token names its grant, whose session it is found by (grant-sessions.ts), so a grant whose session ended
// (signed out everywhere, ended from the session list, the revocation webhook, the operator CLI,
// /oidc/session/end, or ended by the server) is an account that no longer exists, and its refresh
// tokens and access tokens stop working (invalid_grant, invalid_token) — its leftovers at the
// provider are revoked on the way. A refresh decides access again (access-decision.ts) and slides
// the session's idle expiry; the claims are the user's as the session holds them after that.
import type { Account, KoaContextWithOIDC } from "oidc-provider";
import type { OidcClient } from "../config/oidc-config.js";
import { AppError } from "../errors.js";
import type { SignedInRecord } from "../auth/session-record.js";
import type { AccessDecision } from "./access-decision.js";
import type { GrantSessions } from "./grant-sessions.js";
import type { ProviderErrors } from "./provider-module.js";

/** What the provider knows of a token when it asks for its account. */
interface TokenLike {
  clientId?: string;
  grantId?: string;
  kind?: string;
}

export interface AccountDependencies {
  grants: GrantSessions;
  decision: AccessDecision;
  clients: ReadonlyMap<string, OidcClient>;
  /** Revokes what the provider still holds of a grant whose session is gone. */
  revokeGrant: (grantId: string) => Promise<void>;
  errors: ProviderErrors;
}

/** The mark an error of a refused refresh carries, so the metrics tell refusals from failures. */
export const REFUSED = Symbol("refused by the access gate");

export function accountFinder(deps: AccountDependencies) {
  return async function findAccount(ctx: KoaContextWithOIDC, sub: string, token?: TokenLike): Promise<Account | undefined> {
    const clientId = token?.clientId ?? ctx.oidc.client?.clientId;
    const client = clientId === undefined ? undefined : deps.clients.get(clientId);
    // Every code and token names its grant; at the authorization's end, the grant the interaction gave.
    const grantId = token?.grantId ?? (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId;
    const found = client && grantId ? await deps.grants.read(grantId, client.clientId, sub) : null;
    if (!found || !client) {
      if (token?.grantId) await deps.revokeGrant(token.grantId);
      return undefined;
    }
    const { sessionId } = found;
    let record = found.record;
    if (ctx.oidc.route === "token" && ctx.oidc.params?.grant_type === "refresh_token") {
      record = await decided(deps.errors, () => deps.decision.forRefresh(sessionId, found.record, client), "grant");
      await deps.grants.touch(sessionId, record);
    } else if (ctx.oidc.route === "userinfo") {
      record = await decided(deps.errors, () => deps.decision.forUse(sessionId, found.record, client), "token");
    }
    return accountOf(sub, record, client, deps.decision);
  };
}

/** The claims of SPEC §9: `sub` the GitHub id as a string (logins change, ids do not). */
function accountOf(sub: string, record: SignedInRecord, client: OidcClient, decision: AccessDecision): Account {
  const { user } = record;
  const email = record.oidc?.email ?? null;
  return {
    accountId: sub,
    claims: () => ({
      sub,
      preferred_username: user.login,
      ...(user.name ? { name: user.name } : {}),
      ...(user.avatarUrl ? { picture: user.avatarUrl } : {}),
      ...(user.htmlUrl ? { profile: user.htmlUrl } : {}),
      // Only the verified primary address (grant-sessions.ts asks GitHub for it), never another one.
      ...(email ? { email, email_verified: true } : {}),
      groups: decision.groupsFor(record, client),
    }),
  };
}

/**
 * The gate's answer as the provider says it: a refusal (or an ended session) is invalid_grant at
 * the token endpoint and invalid_token at userinfo, with the reason; GitHub unable to confirm is
 * temporarily_unavailable (503), the grant kept.
 */
async function decided(errors: ProviderErrors, decide: () => Promise<SignedInRecord>, as: "grant" | "token"): Promise<SignedInRecord> {
  try {
    return await decide();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "access_unconfirmed" || error.code === "too_many_requests" || error.code === "refresh_in_progress") {
      const unavailable = new errors.TemporarilyUnavailable(error.publicMessage);
      Object.assign(unavailable, { status: 503, statusCode: 503, expose: true });
      throw unavailable;
    }
    if (error.status >= 500) throw error;
    const reason = error.details.reason ?? error.publicMessage;
    const refused = as === "grant" ? new errors.InvalidGrant() : new errors.InvalidToken();
    Object.assign(refused, { error_description: reason, [REFUSED]: true });
    throw refused;
  }
}
