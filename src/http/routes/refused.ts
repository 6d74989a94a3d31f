// GET /auth/refused: the page a proxy shows in place of its own bare "403 Forbidden" when the check
// refused a signed-in user (nginx: `error_page 403 /auth/refused?teams=acme/ops;`, an internal
// redirect that keeps the browser's cookie). It decides again, with the same rule and the same gate
// as the check, and answers as a page: the refusal with its reason and a way to sign in with another
// account (403), the sign-in (401) for a session that ended meanwhile, a rule it does not understand
// (400). When the user is allowed by now (a membership that has just arrived), it sends the browser
// on to the site's front page rather than show a refusal that no longer holds.
import type { RequestHandler } from "express";
import type { Config } from "../../config/config.js";
import type { AllowedSessions } from "../allowed-session.js";
import { parseRouteRule } from "../route-rule-query.js";
import { signInAddressFor, signInNeeded } from "../sign-in-address.js";

export function refusedPage(sessions: AllowedSessions, config: Config): RequestHandler {
  return async (request, response) => {
    const queryStart = request.url.indexOf("?");
    const routeRules = queryStart === -1 ? null : parseRouteRule(request.url.slice(queryStart + 1));
    const session = await sessions.allowed(request, response, routeRules ? { routeRules } : undefined);
    if (!session) throw signInNeeded(signInAddressFor(request, config.publicUrl));
    response.redirect(303, "/");
  };
}
