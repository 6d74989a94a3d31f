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
import helmet from "helmet";
import type { Request, RequestHandler, Response } from "express";
import type { Config } from "../config/config.js";

const DATA_CSP = "default-src 'none';frame-ancestors 'none';sandbox";

export interface SecurityHeaders {
  forPages: RequestHandler;
  forData: RequestHandler;
  /** What forData and noStore set, in order, for the answers written before Express (read-paths-first.ts). */
  dataHeaderList: [string, string][];
  /** Before a page is sent: gives it the page set if it was answered under the data set. */
  upgradeForPage(response: Response): void;
  /**
   * After forPages, for the demo emulator's pages: the page set without `form-action`. Chromium
   * checks form-action against every redirect a form submission leads to, and GitHub's consent form
   * ends in redirects to other origins (the callback, then on to a protected host's handoff).
   */
  forEmulatorPages: RequestHandler;
}

export function securityHeaders(config: Config): SecurityHeaders {
  const hsts = strictTransportSecurity(config);
  const avatarOrigins = new Set(["https://avatars.githubusercontent.com", new URL(config.github.baseUrl).origin]);
  const forPages = helmet({
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
    strictTransportSecurity: hsts,
  });
  const forData = dataHeaders(config);
  const upgradeForPage = (response: Response) => {
    if (response.getHeader("Content-Security-Policy") === DATA_CSP) forPages(response.req, response, () => undefined);
  };
  const forEmulatorPages: RequestHandler = (_request, response, next) => {
    const policy = response.getHeader("Content-Security-Policy");
    if (typeof policy === "string") response.setHeader("Content-Security-Policy", policy.replace(/(?:^|;)form-action [^;]*/, ""));
    next();
  };
  const dataHeaderList = [...headersSetBy(forData), ["Cache-Control", "no-store"] as [string, string]];
  return { forPages, forData, dataHeaderList, upgradeForPage, forEmulatorPages };
}

/**
 * The data set on its own: for a router mounted under the page set whose answers are not this
 * server's pages (the GitHub proxy), where it replaces the page CSP, X-Frame-Options and
 * Referrer-Policy. The page set's document-only headers stay there, and do no harm.
 */
export function dataHeaders(config: Config): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], sandbox: [] } },
    referrerPolicy: { policy: "no-referrer" },
    xFrameOptions: { action: "deny" },
    strictTransportSecurity: strictTransportSecurity(config),
    // Document-only headers: nothing here is ever rendered as one of this server's pages.
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

function strictTransportSecurity(config: Config) {
  return config.session.secureCookies ? { maxAge: 31_536_000, includeSubDomains: false } : false;
}

/** Every answer that may depend on the session must not be stored by browsers or proxies. */
export const noStore: RequestHandler = (_request, response, next) => {
  response.setHeader("Cache-Control", "no-store");
  next();
};

/** The headers a middleware that sets only fixed ones (helmet's) sets, in the order it sets them. */
function headersSetBy(middleware: RequestHandler): [string, string][] {
  const set = new Map<string, [string, string]>();
  const recorder = {
    setHeader: (name: string, value: unknown) => void set.set(name.toLowerCase(), [name, String(value)]),
    removeHeader: (name: string) => void set.delete(name.toLowerCase()),
  };
  let synchronous = false;
  void middleware({ headers: {} } as Request, recorder as unknown as Response, () => (synchronous = true));
  if (!synchronous) throw new Error("the data headers must be set synchronously");
  return [...set.values()];
}
