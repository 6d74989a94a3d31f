// The login interaction (SPEC §9 "Signing in"): oidc-provider sends the browser here whenever an
// authorization needs a person. A browser signed in at the login host and allowed for the client is
// answered at once: its grant's session is made (grant-sessions.ts), a grant with the requested
// scopes is given (no consent page: the clients are the operator's own), and the authorization
// goes on to the client. A browser signed out goes through the ordinary sign-in first
// (/auth/github, its state, PKCE and allow-lists), which comes back here. A user the lists or the
// client's rule refuse gets access_denied at the client's redirect URI, its description saying why
// (as the refusal page and the log line do); so does one refused at its first sign-in, when its
// browser follows the refusal page back here (sign-in-refusals.ts). `prompt=login` and an exceeded `max_age` sign in with
// GitHub again (its account picker) before the authorization goes on.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import type { Provider } from "oidc-provider";
import type { Clock } from "../clock.js";
import type { OidcClient } from "../config/oidc-config.js";
import { AppError, badRequest } from "../errors.js";
import type { Audit } from "../auth/audit.js";
import type { SignedInSession } from "../http/session-reader.js";
import type { AccessDecision, BrowserDecision } from "./access-decision.js";
import type { GrantSessions } from "./grant-sessions.js";
import type { OidcMetrics } from "./metrics.js";
import { interactionPath, SCOPES } from "./provider-configuration.js";
import type { ProviderErrors } from "./provider-module.js";
import { REFUSAL_PARAMETER, type NotedRefusal, type SignInRefusals } from "./sign-in-refusals.js";

export interface InteractionDependencies {
  provider: Provider;
  clients: ReadonlyMap<string, OidcClient>;
  decision: AccessDecision;
  grants: GrantSessions;
  audit: Audit;
  metrics: OidcMetrics;
  clock: Clock;
  logger: Logger;
  freshness: FreshnessMarks;
  refusals: SignInRefusals;
  errors: ProviderErrors;
}

type Details = Awaited<ReturnType<Provider["interactionDetails"]>>;
type RefusedDecision = Extract<BrowserDecision, { refused: unknown }>;

const forgedRefusal = () =>
  badRequest(
    "This link does not come from a sign-in refused in this browser, or it has expired. Go back to the application and try again.",
  );

/** GET /oidc/interaction/:uid */
export function loginInteraction(deps: InteractionDependencies): RequestHandler {
  return async (request, response) => {
    const details = await interactionOf(deps, request, response);
    const client = deps.clients.get(String(details.params.client_id));
    if (!client) throw badRequest("This sign-in request names no application this server knows.");
    if (request.query[REFUSAL_PARAMETER] !== undefined) {
      // Back from a refused first sign-in: ends the authorization with what the server noted, or nothing at all.
      const noted = deps.refusals.open(details.uid, request);
      if (!noted) throw forgedRefusal();
      return finishRefused(deps, request, response, client, noted, false);
    }
    const decided = await deps.decision.forBrowser(request, response, client);
    if ("refused" in decided) return refuse(deps, request, response, client, decided);
    const { session } = decided;
    if (!session) {
      // Back from a sign-in and still signed out: the browser did not keep the session cookie. Said, not looped.
      if (request.query.signed_in === "1")
        throw badRequest(
          "Signing in did not complete in this browser: it did not keep this site's session cookie. Allow cookies for this site and try again.",
        );
      return void response.redirect(303, `/auth/github?returnTo=${encodeURIComponent(`${interactionPath(details.uid)}?signed_in=1`)}`);
    }
    if (wantsFreshSignIn(details, session, deps.clock)) {
      const since = deps.freshness.since(details.uid, request.query.fresh_since);
      if (since === null) {
        const back = `${interactionPath(details.uid)}?fresh_since=${deps.freshness.mark(details.uid)}`;
        return void response.redirect(303, `/auth/github?prompt=select_account&returnTo=${encodeURIComponent(back)}`);
      }
      if (session.record.signedInAt < since)
        throw badRequest("Signing in again did not complete in this browser. Go back to the application and try again.");
    }
    await authorize(deps, request, response, details, client, session);
  };
}

/** The interaction this browser started (its cookie), and only the one this URL names. */
async function interactionOf({ provider, errors }: InteractionDependencies, request: Request, response: Response): Promise<Details> {
  let details: Details;
  try {
    details = await provider.interactionDetails(request, response);
  } catch (error) {
    if (!(error instanceof errors.SessionNotFound)) throw error;
    throw expired();
  }
  if (details.uid !== request.params.uid) throw expired();
  return details;
}

const expired = () =>
  new AppError(
    "bad_request",
    "This sign-in request has expired, or was started in another browser. Go back to the application and sign in again.",
    {
      heading: "Sign-in request expired",
      next: { href: "/", label: "Go to the home page" },
    },
  );

/** `prompt=login`, or a sign-in older than `max_age`: GitHub is asked again (its account picker), within this interaction. */
function wantsFreshSignIn(details: Details, session: SignedInSession, clock: Clock): boolean {
  const prompts = String(details.params.prompt ?? "").split(" ");
  const maxAge = Number(details.params.max_age);
  return (
    prompts.includes("login") ||
    (details.params.max_age !== undefined && Number.isFinite(maxAge) && clock.now() - session.record.signedInAt > maxAge * 1000)
  );
}

/**
 * When a fresh sign-in was asked for an interaction: the moment, signed (SESSION_SECRET) and bound to
 * the interaction, carried through the sign-in in its returnTo. Back here, only a session signed in
 * since then passes; a mark not made here for this interaction counts as none.
 */
export function freshnessMarks(secret: string, clock: Clock) {
  const key = createHmac("sha256", secret).update("oidc-fresh-sign-in").digest();
  const tag = (uid: string, at: string) => createHmac("sha256", key).update(`${uid}:${at}`).digest("base64url");
  return {
    mark(uid: string): string {
      const at = String(clock.now());
      return `${at}.${tag(uid, at)}`;
    },
    since(uid: string, value: unknown): number | null {
      const [at, mac, ...rest] = typeof value === "string" ? value.split(".") : [];
      if (!at || !mac || rest.length > 0 || !/^\d{1,15}$/.test(at)) return null;
      const expected = Buffer.from(tag(uid, at));
      const given = Buffer.from(mac);
      return expected.length === given.length && timingSafeEqual(expected, given) ? Number(at) : null;
    },
  };
}

export type FreshnessMarks = ReturnType<typeof freshnessMarks>;

async function authorize(
  deps: InteractionDependencies,
  request: Request,
  response: Response,
  details: Details,
  client: OidcClient,
  session: SignedInSession,
): Promise<void> {
  const { provider, grants } = deps;
  const accountId = String(session.record.user.id);
  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  const requested = String(details.params.scope ?? "")
    .split(" ")
    .filter((scope) => SCOPES.includes(scope));
  grant.addOIDCScope(requested.join(" "));
  const grantId = await grant.save();
  const record = await grants.start(grantId, session, client);
  deps.metrics.grants.inc({ outcome: "issued" });
  deps.logger.info({ userId: record.user.id, clientId: client.clientId }, "OpenID Connect grant issued");
  const result = { login: { accountId, ts: Math.floor(session.record.signedInAt / 1000), remember: false }, consent: { grantId } };
  await provider.interactionFinished(request, response, result, { mergeWithLastSubmission: false });
}

/** The gate refused (or could not decide): the client hears it at its redirect URI, with why. */
function refuse(deps: InteractionDependencies, request: Request, response: Response, client: OidcClient, decided: RefusedDecision) {
  const { refused, user } = decided;
  // Could not decide now: the client is told to come back, in the words the page would use.
  const reason = refused.code === "access_unconfirmed" ? refused.publicMessage : (refused.details.reason ?? refused.publicMessage);
  return finishRefused(deps, request, response, client, { code: refused.code, reason, user }, true);
}

/** `audited`: false when the sign-in's own audit line already told of this refusal. */
async function finishRefused(
  deps: InteractionDependencies,
  request: Request,
  response: Response,
  client: OidcClient,
  { code, reason, user }: NotedRefusal,
  audited: boolean,
): Promise<void> {
  const unconfirmed = code === "access_unconfirmed";
  deps.metrics.grants.inc({ outcome: unconfirmed ? "unconfirmed" : "refused" });
  if (!unconfirmed) {
    if (audited) deps.audit.signIn("not_allowed", user, undefined, "oidc");
    deps.logger.info({ userId: user.id, login: user.login, clientId: client.clientId, reason }, "OpenID Connect authorization refused");
  }
  const result = unconfirmed
    ? { error: "temporarily_unavailable", error_description: reason }
    : { error: "access_denied", error_description: reason };
  await deps.provider.interactionFinished(request, response, result, { mergeWithLastSubmission: false });
}
