// Where the provider meets the rest of the server, around oidc-provider's own handling:
// - its pages (device code entry and confirmation, sign-out confirmation, errors), in the server's look;
// - its browser session, which only ever carries its forms' CSRF tokens: an authorization and its
//   resumption never see or keep one, so a second sign-in in the same browser is never mistaken for
//   "another account in this browser" (oidc-provider would then sign the first one out);
// - /oidc/session/end, which once confirmed ends the browser's sign-in here and every grant it made;
// - its events, for the metrics, the log, and ending the session of a grant the provider revoked
//   (a refresh token reused past its grace, or revoked by its client);
// - Redis not answering, which is a 503 to retry (SPEC §5) rather than the provider's 500.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { KoaContextWithOIDC, Provider } from "oidc-provider";
import type { BackgroundTasks } from "../background-tasks.js";
import type { Config } from "../config/config.js";
import type { SessionReader } from "../http/session-reader.js";
import { isRedisUnavailable } from "../store/redis-client.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { SessionEndings } from "../auth/session-endings.js";
import { readRecord } from "../auth/session-updates.js";
import { REFUSED } from "./account.js";
import { grantSessionId, type GrantSessions } from "./grant-sessions.js";
import { grantTypeLabel, type OidcMetrics } from "./metrics.js";
import * as pages from "./pages.js";
import { OIDC_ROUTES, providerCookies } from "./provider-configuration.js";

type Context = KoaContextWithOIDC;

export function pageSources({ config, sessions }: { config: Config; sessions: SessionReader }) {
  const show = (ctx: Context, title: string, body: string) => {
    ctx.type = "html";
    ctx.body = pages.page(title, body, config.demoMode);
  };
  const loginHost = new URL(config.publicUrl).host;
  return {
    renderError: async (ctx: Context, out: { error: string; error_description?: string }) => {
      show(ctx, "Sign-in request refused", pages.providerError(ctx.status, out.error, out.error_description));
    },
    deviceFlow: {
      userCodeInputSource: async (
        ctx: Context,
        form: string,
        out: { error?: string; error_description?: string },
        error?: Error & { userCode?: string },
      ) => {
        if (ctx.oidc.route === "device_resume" && error) return void showDeviceResumeProblem(ctx, out, error, show);
        const problem = !error
          ? null
          : error.name === "AbortedError"
            ? "The sign-in was cancelled. Enter a code to sign in a device."
            : error.userCode !== undefined || error.name === "NoCodeError"
              ? "That code is not valid, or has expired or been used. Check it and try again."
              : "Something went wrong. Please try again.";
        show(ctx, "Sign in a device", pages.userCodeEntry(OIDC_ROUTES.code_verification, pages.xsrfOf(form), problem));
      },
      userCodeConfirmSource: async (ctx: Context, form: string, client: { clientId: string }, _device: unknown, userCode: string) => {
        show(
          ctx,
          "Sign in a device",
          pages.userCodeConfirmation(OIDC_ROUTES.code_verification, pages.xsrfOf(form), userCode, client.clientId),
        );
      },
      successSource: async (ctx: Context) => show(ctx, "Device signed in", pages.deviceSignedIn(ctx.oidc.client?.clientId ?? null)),
    },
    logout: {
      logoutSource: async (ctx: Context, form: string) => {
        const session = await sessions.signedIn(ctx.req as IncomingMessage, ctx.res as ServerResponse);
        show(
          ctx,
          "Sign out",
          pages.signOutConfirmation(
            `${OIDC_ROUTES.end_session}/confirm`,
            pages.xsrfOf(form),
            loginHost,
            session?.record.user.login ?? null,
          ),
        );
      },
      postLogoutSuccessSource: async (ctx: Context) => show(ctx, "Signed out", pages.signedOut()),
    },
  };
}

/**
 * A device sign-in that cannot go on where it resumes (/oidc/device/<uid>, after the interaction):
 * refused by the client's rule or the server's lists (403, saying why, as the program's poll does),
 * or its interaction or code gone (expired, used, another browser). A page without a form: the
 * provider's session is kept apart there (WITHOUT_PROVIDER_SESSION), so the fresh one oidc-provider
 * made for the request, and just gave a form token, is left unsaved; saving it is what it cannot do
 * (it only re-saves a session it loaded), which would turn the answer into a 500.
 */
function showDeviceResumeProblem(
  ctx: Context,
  out: { error?: string; error_description?: string },
  error: Error,
  show: (ctx: Context, title: string, body: string) => void,
): void {
  (ctx.oidc.session as unknown as { touched: boolean }).touched = false;
  // oidc-provider's AbortedError, around the refusal the interaction gave (interaction.ts).
  const refusal = error.cause as { error?: string; error_description?: string } | undefined;
  if (error.name === "AbortedError" && refusal?.error === "access_denied") {
    ctx.status = 403;
    return show(
      ctx,
      "Sign-in refused",
      pages.deviceProblem("Sign-in refused", refusal.error_description ?? "You may not sign in to this application."),
    );
  }
  const gone = error.name === "SessionNotFound" || ctx.status < 400;
  if (ctx.status < 400) ctx.status = 400;
  const text = gone
    ? "This device sign-in has expired, was already used, or was started in another browser. Enter the code your device shows again."
    : out.error !== "server_error" && out.error_description
      ? out.error_description
      : "Something went wrong. Please try again.";
  show(ctx, "Device not signed in", pages.deviceProblem("Device not signed in", text));
}

/** Where an authorization starts or resumes: the provider's browser session stays out of it. */
const WITHOUT_PROVIDER_SESSION = /^\/oidc\/(?:auth(?:\/[^/]+)?|device\/(?!auth$)[^/]+)$/;

export interface MiddlewareDependencies {
  config: Config;
  sessions: SessionReader;
  endings: SessionEndings;
  grants: GrantSessions;
  logger: Logger;
}

export function providerMiddleware(deps: MiddlewareDependencies) {
  const sessionCookie = providerCookies(deps.config).names!.session!;
  return async (ctx: Context, next: () => Promise<void>) => {
    if (ctx.path === OIDC_ROUTES.authorization && ctx.method === "GET") honourOfflineAccess(ctx);
    const apart = WITHOUT_PROVIDER_SESSION.test(ctx.path);
    if (apart) ctx.req.headers.cookie = withoutCookie(ctx.req.headers.cookie, sessionCookie);
    try {
      await next();
      if (apart) dropSetCookie(ctx.res, sessionCookie);
      if (ctx.path === OIDC_ROUTES.end_session) await askBeforeSigningOut(deps, ctx);
      if (ctx.state.signOutConfirmed === true) await endSignIn(deps, ctx.req, ctx.res);
    } catch (error) {
      if (!isRedisUnavailable(error)) throw error;
      ctx.state.storeUnavailable = true;
    }
    if (ctx.state.storeUnavailable === true) answerStoreUnavailable(ctx, deps.config.demoMode);
  };
}

/** How long to wait before asking again while the store does not answer (as the rest of the server says). */
const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Redis not answering is an outage to wait out (SPEC §5), not a failure of the request: 503 with
 * Retry-After, in the shape of the endpoint (OAuth's JSON error, or a page), nothing ended.
 */
function answerStoreUnavailable(ctx: Context, demoMode: boolean): void {
  const description = "Sessions are unavailable for a moment. Please try again shortly.";
  ctx.status = 503;
  ctx.set("Retry-After", String(STORE_RETRY_AFTER_SECONDS));
  if (ctx.response.is("html")) {
    ctx.body = pages.page("Temporarily unavailable", pages.providerError(503, "temporarily_unavailable", description), demoMode);
  } else {
    ctx.body = { error: "temporarily_unavailable", error_description: description };
  }
}

/**
 * oidc-provider drops `offline_access` from an authorization request unless its prompt includes
 * `consent` (OpenID Connect Core §11 has an OP ask for consent first). The clients here are the
 * operator's own and every authorization is an interaction anyway (no consent page): the scope is
 * kept, as SPEC §9 wants (mod_auth_openidc, kubectl ask for it without a prompt), by asking for the
 * consent prompt that the interaction then grants. `prompt=none` is left alone (no interaction can follow it).
 */
function honourOfflineAccess(ctx: Context): void {
  const query = new URLSearchParams(ctx.querystring);
  const scopes = (query.get("scope") ?? "").split(" ");
  const prompts = (query.get("prompt") ?? "").split(" ").filter(Boolean);
  if (!scopes.includes("offline_access") || prompts.includes("consent") || prompts.includes("none") || query.getAll("prompt").length > 1)
    return;
  query.set("prompt", [...prompts, "consent"].join(" "));
  ctx.querystring = query.toString();
}

/**
 * oidc-provider signs a browser out of its own session without asking when that session names no
 * account, which is always the case here: it answers with a form that submits itself. A browser
 * signed in here is asked first instead (as POST /auth/logout wants a same-origin request), so no
 * other site can sign anyone out by sending them to /oidc/session/end; a browser signed out goes on.
 */
async function askBeforeSigningOut(deps: MiddlewareDependencies, ctx: Context): Promise<void> {
  if (ctx.status !== 200 || typeof ctx.body !== "string" || !/name="logout" value="yes"/.test(ctx.body)) return;
  const session = await deps.sessions.signedIn(ctx.req as IncomingMessage, ctx.res as ServerResponse);
  if (!session || session.credential !== "cookie") return;
  const form = pages.signOutConfirmation(
    `${OIDC_ROUTES.end_session}/confirm`,
    pages.xsrfOf(ctx.body),
    new URL(deps.config.publicUrl).host,
    session.record.user.login,
  );
  ctx.type = "html";
  ctx.body = pages.page("Sign out", form, deps.config.demoMode);
}

/** /oidc/session/end, confirmed: this browser's sign-in here ends, and every grant it made. */
async function endSignIn(deps: MiddlewareDependencies, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await deps.sessions.signedIn(request, response);
  if (!session || session.credential !== "cookie") return;
  const { sessionId, record } = session;
  await deps.endings.signOut(sessionId, record, "this_session");
  const grants = await deps.grants.endGrantsOf(sessionId, record.user.id);
  deps.sessions.clearCookie(response);
  deps.logger.info({ userId: record.user.id, grants }, "signed out at /oidc/session/end: the sign-in and its grants ended");
}

function withoutCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return header;
  const kept = header.split(";").filter((part) => {
    const key = part.trim().split("=")[0];
    return key !== name && key !== `${name}.sig`;
  });
  return kept.join(";");
}

function dropSetCookie(response: ServerResponse, name: string): void {
  const set = response.getHeader("set-cookie");
  if (!Array.isArray(set)) return;
  response.setHeader(
    "set-cookie",
    set.filter((cookie) => !cookie.startsWith(`${name}=`) && !cookie.startsWith(`${name}.sig=`)),
  );
}

export interface ObserverDependencies {
  logger: Logger;
  metrics: OidcMetrics;
  background: BackgroundTasks;
  entries: SessionEntries;
  grants: GrantSessions;
}

export function observeProvider(provider: Provider, deps: ObserverDependencies): void {
  const { logger, metrics } = deps;
  const count = (ctx: Context, outcome: string) =>
    metrics.tokens.inc({ grant_type: grantTypeLabel(ctx.oidc?.params?.grant_type), outcome });
  provider.on("grant.success", (ctx: Context) => count(ctx, "ok"));
  provider.on("grant.error", (ctx: Context, error: Error & { error?: string; error_detail?: string; [REFUSED]?: true }) =>
    count(ctx, tokenOutcome(error)),
  );
  provider.on("end_session.success", (ctx: Context) => {
    if (ctx.oidc.params?.logout) ctx.state.signOutConfirmed = true;
  });
  provider.on("grant.revoked", (ctx: Context, grantId: string) => {
    const byClient = ctx.oidc?.route === "revocation";
    const sessionId = grantSessionId(grantId);
    deps.background.run("end a revoked grant's session", async () => {
      const record = await readRecord(deps.entries, sessionId);
      if (record?.oidc?.grantId !== grantId) return;
      if (byClient) await deps.grants.signOut(sessionId, record, "this_session");
      else await deps.grants.end(sessionId, record, "revoked");
    });
  });
  provider.on("server_error", (ctx: Context, error: Error) => {
    // Noted for the answer (providerMiddleware): a store outage is a 503 to retry, not a 500.
    if (isRedisUnavailable(error)) ctx.state.storeUnavailable = true;
    else logger.error({ err: error, route: ctx.oidc?.route }, "OpenID Connect provider error");
  });
  // Koa's own: with a listener, nothing is printed to stderr by Koa itself.
  (provider as unknown as NodeJS.EventEmitter).on("error", (error: Error) => logger.error({ err: error }, "OpenID Connect provider error"));
}

function tokenOutcome(error: { error?: string; error_detail?: string; [REFUSED]?: true }): string {
  if (error[REFUSED]) return "not_allowed";
  if (error.error === "temporarily_unavailable") return "unavailable";
  if (error.error === "invalid_grant" && /already (used|consumed)/.test(error.error_detail ?? "")) return "reused";
  if (error.error === "invalid_grant" && /account not found|grant not found/.test(error.error_detail ?? "")) return "ended";
  return "error";
}
