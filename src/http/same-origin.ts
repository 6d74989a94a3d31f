// Refuses state-changing requests that a browser sent on behalf of another site (CSRF).
// An Origin on the trusted list is accepted. Otherwise Sec-Fetch-Site, when present, is the
// browser's own verdict and decides: browsers send `Origin: null` on same-origin form posts under
// some referrer policies, so a null Origin cannot overrule it. Browsers without Sec-Fetch-Site are
// judged by Origin alone. A request with neither header is not from a browser (curl, a server-side
// program holding the cookie), and no site can make a browser send it.
//
// "Same origin" is the request's own host's (SPEC §6): a sign-out posted on a protected host is
// judged by that host's origin, and one host's pages are cross-origin to every other host's routes.
import type { RequestHandler } from "express";
import { forbiddenCrossOrigin } from "../errors.js";
import type { HostResolver } from "./request-host.js";
import { carriesBearerToken } from "./bearer-token.js";

/** @param extraOrigins origins trusted besides the request host's own (CORS_ORIGINS, for /api/* only) */
export function requireSameOrigin(hosts: HostResolver, extraOrigins: string[] = []): RequestHandler {
  const trusted = new Set(extraOrigins);
  return (request, _response, next) => {
    // Bearer callers (programs) cannot be forged cross-site; one that also sends a cookie is refused by the session reader.
    if (carriesBearerToken(request)) return next();
    const fetchSite = request.get("sec-fetch-site");
    const origin = request.get("origin");
    const allowed =
      (origin !== undefined && (trusted.has(origin) || origin === hosts.of(request)?.origin)) ||
      (fetchSite !== undefined ? fetchSite === "same-origin" : origin === undefined);
    next(allowed ? undefined : forbiddenCrossOrigin());
  };
}
