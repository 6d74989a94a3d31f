// The audit trail (SPEC §8): every sign-in, sign-out and ended session is one JSON log line with
// `event`, its `outcome` or `reason`, and who, where and what kind — so an operator can answer
// "who signed in, and why did this session end?" from the logs alone. Never a token or a code.
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Metrics, SessionEndLabel, SignInOutcome } from "../metrics.js";

/** Browser sessions hold a cookie; device sessions (DEVICE_FLOW) a session token; oidc ones are OpenID Connect grants. */
export type SessionKind = "browser" | "device" | "oidc";

/** Why a session ended other than by its own sign-out. */
export type SessionEndReason = Exclude<SessionEndLabel, SignOutScope>;
// authorization_gone: GitHub no longer honours the token, or refused to refresh it; not_allowed: the
// allow-lists no longer let the user in; revoked: the revocation webhook, confirmed by GitHub (or
// GitHub could not be asked); max_age: SESSION_MAX_AGE passed; operator: `cli.js sessions end`.

/** Which sessions a sign-out ends: the one it came from, one of the user's others, or all of them. */
export type SignOutScope = "this_session" | "other_session" | "everywhere";

export interface AuditedUser {
  id: number;
  login: string;
}

export interface Audit {
  /** `host`: where the session was signed in on; the login host when omitted. `kind`: browser when omitted. */
  signIn(outcome: SignInOutcome, user: AuditedUser | null, host?: string, kind?: SessionKind): void;
  signOut(user: AuditedUser, scope: SignOutScope, sessions: number, kind?: SessionKind): void;
  sessionEnded(user: AuditedUser, reason: SessionEndReason, kind?: SessionKind): void;
}

/** Sign-ins are counted where their outcome is known (http/error-outcomes.ts); endings are counted here. */
export function createAudit(logger: Logger, config: Pick<Config, "publicUrl">, metrics: Pick<Metrics, "sessionEndings">): Audit {
  // Every field of these lines is chosen here (an event name, an outcome, ids, a login, a host), none
  // of which a name-based redaction could match, so they skip that pass, as the request lines do.
  const auditLog = logger.child({}, { redact: [] });
  // One host for every session today: the login host.
  const host = new URL(config.publicUrl).host;
  const where = (kind: SessionKind = "browser") => ({ host, kind });
  const who = (user: AuditedUser | null) => (user ? { userId: user.id, login: user.login } : {});
  return {
    signIn: (outcome, user, signedInHost, kind) =>
      auditLog.info(
        { event: "sign_in", outcome, ...who(user), ...where(kind), ...(signedInHost ? { host: signedInHost } : {}) },
        "sign-in",
      ),
    signOut(user, scope, sessions, kind) {
      metrics.sessionEndings.inc({ reason: scope });
      auditLog.info({ event: "sign_out", reason: scope, sessions, ...who(user), ...where(kind) }, "sign-out");
    },
    sessionEnded(user, reason, kind) {
      metrics.sessionEndings.inc({ reason });
      auditLog.info({ event: "session_ended", reason, ...who(user), ...where(kind) }, "session ended");
    },
  };
}
