// Security headers, in two sets. Pages (and anything else a browser may render) get helmet's full
// set with a CSP the pages satisfy as they are: no inline script or style anywhere, forms post only
// to this origin, avatars from GitHub's avatar host (or the configured GitHub's own origin, for
// GitHub Enterprise Server and the emulator). The read endpoints that programs and reverse proxies
// call on every request (/api/me, /api/session, /auth/check) answer JSON or nothing, never a
// document: they get the set that still matters for such answers (OWASP REST Security Cheat
// Sheet), a third of the bytes, and an error page rendered there is upgraded to the full set. The
// GitHub proxy gets the data set too: it passes GitHub's own content types through, HTML included
// (raw file contents, GitHub's error pages), and under the page set such a document would run
// script from this origin (script-src 'self' also admits /api/github/*). The data CSP's sandbox
// gives any such document an opaque origin and no script, whatever its status or type.
// Referrer-Policy same-origin never sends a Referer to another site; the sign-in callback, whose
// URL carries `code` and `state`, goes further with no-referrer (http/routes/auth.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet from "helmet";
import type { Config } from "../config/config.js";

const DATA_CSP = "default-src 'none';frame-ancestors 'none';sandbox";

/** Connect-style: runs on any node:http request and answer, Express's or not. */
export type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

export interface SecurityHeaders {
  forPages: Middleware;
  /** The data set, with Cache-Control: no-store (every data answer may depend on the session). */
  forData: Middleware;
  /** What forData sets, in order (the read paths write them with their answer: read-paths.ts). */
  dataHeaderList: [string, string][];
  /** Before a page is sent: gives it the page set if it was answered under the data set. */
  upgradeForPage(response: ServerResponse): void;
  /**
   * After forPages, for the demo emulator's pages: the page set without `form-action`. Chromium
   * checks form-action against every redirect a form submission leads to, and GitHub's consent form
   * ends in redirects to other origins (the callback, then on to a protected host's handoff).
   */
  forEmulatorPages: Middleware;
}

export function securityHeaders(config: Config): SecurityHeaders {
  const avatarOrigins = new Set(["https://avatars.githubusercontent.com", new URL(config.github.baseUrl).origin]);
  const forPages: Middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        // The login host too: a sign-out form on a protected host ends in a redirect to the login
        // host's signed-out page, and Chromium checks form-action against every redirect.
        formAction: ["'self'", new URL(config.publicUrl).origin],
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
    strictTransportSecurity: config.session.secureCookies ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
  });
  const dataHeaderList: [string, string][] = [...dataHeaderSet(config), ["Cache-Control", "no-store"]];
  const upgradeForPage = (response: ServerResponse) => {
    if (response.getHeader("Content-Security-Policy") === DATA_CSP) forPages(response.req, response, () => undefined);
  };
  const forEmulatorPages: Middleware = (_request, response, next) => {
    const policy = response.getHeader("Content-Security-Policy");
    if (typeof policy === "string") response.setHeader("Content-Security-Policy", policy.replace(/(?:^|;)form-action [^;]*/, ""));
    next();
  };
  return { forPages, forData: setting(dataHeaderList), dataHeaderList, upgradeForPage, forEmulatorPages };
}

const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * The data set on its own, fixed for the life of the process: what a JSON answer or a 204 still
 * needs (OWASP REST Security Cheat Sheet), and nothing that only matters to a document. A document
 * sent under it anyway (the GitHub proxy passes GitHub's HTML through) is sandboxed: an opaque
 * origin and no script, whatever its status or type.
 */
function dataHeaderSet(config: Config): [string, string][] {
  return [
    ["Content-Security-Policy", DATA_CSP],
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["Referrer-Policy", "no-referrer"],
    ...(config.session.secureCookies ? [["Strict-Transport-Security", `max-age=${HSTS_MAX_AGE_SECONDS}`] as [string, string]] : []),
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
  ];
}

/**
 * The data set alone, without Cache-Control: for a router mounted under the page set whose answers
 * are not this server's pages (the GitHub proxy), where it replaces the page CSP, X-Frame-Options
 * and Referrer-Policy. The page set's document-only headers stay there, and do no harm.
 */
export function dataHeaders(config: Config): Middleware {
  return setting(dataHeaderSet(config));
}

/** Every answer that may depend on the session must not be stored by browsers or proxies. */
export const noStore: Middleware = (_request, response, next) => {
  response.setHeader("Cache-Control", "no-store");
  next();
};

function setting(headers: [string, string][]): Middleware {
  return (_request, response, next) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    next();
  };
}
