// The provider's place in the app (SPEC §9): discovery at /.well-known/openid-configuration, the
// endpoints under /oidc/, on the login host only (404 elsewhere: protected hosts route /auth/ and
// /api/ here, never these). oidc-provider is a Koa app handed the request as Node gave it, after:
// - the scheme, host and client address it reads are made the ones this server decided on
//   (PUBLIC_URL's scheme and host, Express's req.ip under TRUST_PROXY): a client's own
//   X-Forwarded-* never reach it, and its URLs and Secure cookies follow PUBLIC_URL;
// - headers of its own: a CSP its pages satisfy (no inline script, save the one oidc-provider
//   hashes into it for a form_post answer; forms may post to the client's redirect URIs, wherever
//   they are), no framing, no referrer (its URLs carry codes and states), no caching;
// - the sign-in rate limit on the requests an anonymous client can repeat (each stores a record);
// - before all that, only the exact spelling of one of its paths: Express matches routes without
//   regard to case and with an optional trailing slash, and oidc-provider then answers
//   /OIDC/SESSION/END or /oidc/auth/ as its own, past every check here and in provider-hooks.ts
//   that names a path (the rate limit, the sign-out confirmation, offline_access). Any other
//   spelling is 404.
import type { Express, Request, RequestHandler } from "express";
import helmet from "helmet";
import type { Config } from "../config/config.js";
import { notFound } from "../errors.js";
import { rateLimitByIp } from "../http/rate-limit.js";
import type { HostResolver } from "../http/request-host.js";
import type { StorageBackend } from "../store/backend.js";
import type { OidcService } from "./provider.js";
import { interactionPath, OIDC_ROUTES } from "./provider-configuration.js";

/** What mounting needs of the server's services. */
export interface MountServices {
  config: Config;
  hosts: HostResolver;
  storage: StorageBackend;
  oidc: OidcService | null;
}

const DISCOVERY = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"];
/** Where anonymous requests store something (an interaction, a device code, a form's CSRF token) or try a user code. */
const LIMITED: string[] = [
  OIDC_ROUTES.authorization,
  OIDC_ROUTES.device_authorization,
  OIDC_ROUTES.code_verification,
  OIDC_ROUTES.end_session,
];
const PROVIDER_PATHS = [
  ...DISCOVERY,
  OIDC_ROUTES.authorization,
  `${OIDC_ROUTES.authorization}/:uid`,
  OIDC_ROUTES.token,
  OIDC_ROUTES.revocation,
  OIDC_ROUTES.userinfo,
  OIDC_ROUTES.jwks,
  OIDC_ROUTES.device_authorization,
  OIDC_ROUTES.code_verification,
  `${OIDC_ROUTES.code_verification}/:uid`,
  OIDC_ROUTES.end_session,
  `${OIDC_ROUTES.end_session}/confirm`,
  `${OIDC_ROUTES.end_session}/success`,
];
/** A path above as a pattern: literal but for its `:uid`, one segment. */
const pattern = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:uid/g, "[^/]+");
/** The paths exactly as written above (and the interaction's): case-sensitive, no trailing or doubled slash. */
const CANONICAL = new RegExp(`^(?:${[...PROVIDER_PATHS, interactionPath(":uid")].map(pattern).join("|")})$`);
const canonicalOnly: RequestHandler = (request, _response, next) => next(CANONICAL.test(request.path) ? undefined : notFound());

/** Mounts the provider when there is one (OIDC_CLIENTS, or demo mode); nothing otherwise. */
export function mountOidcProvider(app: Express, services: MountServices): void {
  const { oidc, config } = services;
  if (!oidc) return;
  const loginHostOnly: RequestHandler = (request, _response, next) => next(services.hosts.of(request)?.login ? undefined : notFound());
  const headers = providerHeaders(config);
  const { authRateLimit } = config;
  const limit: RequestHandler = authRateLimit
    ? rateLimitByIp(services.storage.rateLimiter("oidc", authRateLimit.points, authRateLimit.durationMs))
    : (_request, _response, next) => next();
  const limited: RequestHandler = (request, response, next) => (LIMITED.includes(request.path) ? limit(request, response, next) : next());
  app.get(interactionPath(":uid"), canonicalOnly, loginHostOnly, headers, oidc.interaction);
  app.all(PROVIDER_PATHS, canonicalOnly, loginHostOnly, headers, limited, (request, response, next) => {
    asPublicUrlHasIt(request, config.publicUrl);
    oidc.handle(request, response).catch(next);
  });
}

/** The scheme and host the provider sees are PUBLIC_URL's; the client address is the one Express trusted. */
function asPublicUrlHasIt(request: Request, publicUrl: string): void {
  const url = new URL(publicUrl);
  request.headers["x-forwarded-proto"] = url.protocol.slice(0, -1);
  request.headers["x-forwarded-host"] = url.host;
  request.headers["x-forwarded-for"] = request.ip ?? request.socket.remoteAddress ?? "";
}

function providerHeaders(config: Config): RequestHandler {
  const secure = config.session.secureCookies;
  const set = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // oidc-provider adds the hash of its form_post script here (and nothing else runs).
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  return (request, response, next) => {
    response.setHeader("Cache-Control", "no-store");
    void set(request, response, next);
  };
}
