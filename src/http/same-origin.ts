// Refuses state-changing requests that a browser sent on behalf of another site (CSRF). Browsers
// label every such request with Sec-Fetch-Site and/or Origin; a request with neither header is not
// from a browser (curl, a server-side program holding the cookie) and cannot be forged by a site.
import type { RequestHandler } from "express";
import { forbiddenCrossOrigin } from "../errors.js";

export function requireSameOrigin(publicUrl: string): RequestHandler {
  const expectedOrigin = new URL(publicUrl).origin;
  return (request, _response, next) => {
    const fetchSite = request.get("sec-fetch-site");
    const origin = request.get("origin");
    if (fetchSite !== undefined && fetchSite !== "same-origin") return next(forbiddenCrossOrigin());
    if (origin !== undefined && origin !== expectedOrigin) return next(forbiddenCrossOrigin());
    next();
  };
}
