// Refuses state-changing requests that a browser sent on behalf of another site (CSRF).
// Sec-Fetch-Site, when present, is the browser's own verdict and decides alone: browsers send
// `Origin: null` on same-origin form posts under some referrer policies, so Origin cannot overrule
// it. Browsers without Sec-Fetch-Site are judged by Origin. A request with neither header is not
// from a browser (curl, a server-side program holding the cookie), and no site can forge it.
import type { RequestHandler } from "express";
import { forbiddenCrossOrigin } from "../errors.js";

export function requireSameOrigin(publicUrl: string): RequestHandler {
  const expectedOrigin = new URL(publicUrl).origin;
  return (request, _response, next) => {
    const fetchSite = request.get("sec-fetch-site");
    const origin = request.get("origin");
    const sameOrigin = fetchSite !== undefined ? fetchSite === "same-origin" : origin === undefined || origin === expectedOrigin;
    next(sameOrigin ? undefined : forbiddenCrossOrigin());
  };
}
