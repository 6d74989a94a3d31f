// helmet with a CSP the pages satisfy as they are: no inline script or style anywhere, forms post
// only to this origin, avatars from GitHub's avatar host (or the configured GitHub's own origin,
// for GitHub Enterprise Server and the emulator). Referrer-Policy same-origin never sends a
// Referer to another site; the sign-in callback, whose URL carries `code` and `state`, goes
// further with no-referrer (http/routes/auth.ts).
import helmet from "helmet";
import type { RequestHandler } from "express";
import type { Config } from "../config/config.js";

export function securityHeaders(config: Config): RequestHandler {
  const avatarOrigins = new Set(["https://avatars.githubusercontent.com", new URL(config.github.baseUrl).origin]);
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", ...avatarOrigins],
        ...(config.session.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: "same-origin" },
    strictTransportSecurity: config.session.secureCookies ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
}

/** Every answer that may depend on the session must not be stored by browsers or proxies. */
export const noStore: RequestHandler = (_request, response, next) => {
  response.setHeader("Cache-Control", "no-store");
  next();
};
