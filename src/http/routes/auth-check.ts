// GET /auth/check: the question a reverse proxy asks before passing a request on (nginx
// auth_request, Traefik forwardAuth, Caddy forward_auth). 204 with who is signed in, or 401. It is
// asked on every proxied request, so it costs one session read and does not wait for GitHub: it
// answers from the profile and access decision cached with the session, and a revalidation that is
// due runs in the background (auth/access-gate.ts). Signed in but no longer allowed → 403; a
// decision GitHub could not confirm within ACCESS_MAX_STALE → 503 access_unconfirmed.
// The 401 carries `Location`: the sign-in for the page the proxy names in X-Forwarded-Uri
// (sign-in-address.ts), which the proxy sends the browser to; the 401 page's button leads there too.
// X-Auth-Request-Email and X-Auth-Request-Groups are always sent, empty when unknown or none, so
// that a proxy copying them never falls back to a client's copy or to a placeholder of its own.
// `?users=&orgs=&teams=&repos=` narrows the decision for one proxied location (SPEC §7); the first
// check of a rule the session has not met may ask GitHub once, later ones answer from the session.
// A query that is not exactly such a rule is 400 invalid_rule for everyone (route-rule-query.ts),
// before the session is even read.
import type { Logger } from "pino";
import { serverRules } from "../../auth/access.js";
import type { AccessRules } from "../../config/access-rules.js";
import type { Config } from "../../config/config.js";
import type { AllowedSessions } from "../allowed-session.js";
import { identityHeaders, type IdentityHeaders } from "../identity-headers.js";
import type { ReadPathHandler } from "../read-paths.js";
import { parseRouteRule } from "../route-rule-query.js";
import { signInAddressFor, signInNeeded } from "../sign-in-address.js";

/** Parsed rules by query string: a proxy sends the same few rules on every request. */
const MAX_REMEMBERED_RULES = 256;

/** What a check answers: the rule it is asked about, and who is signed in as its headers. */
export interface CheckAnswers {
  /** The per-route rule in this request URL, null when it names none; one not understood throws invalid_rule (400). */
  routeRulesOf(url: string): AccessRules | null;
  /** The 204's headers, in order: who is signed in, and the groups of the server's lists and the route's rule. */
  identityHeaders: IdentityHeaders;
}

export function checkAnswers(config: Config, logger: Logger): CheckAnswers {
  return { routeRulesOf: rememberedRules(), identityHeaders: identityHeaders(serverRules(config), logger) };
}

/** GET /auth/check (a read path: read-paths.ts writes the answer). */
export function authCheck(sessions: AllowedSessions, config: Config, answers: CheckAnswers): ReadPathHandler {
  return async (request, response) => {
    const routeRules = answers.routeRulesOf(request.url ?? "");
    const session = await sessions.allowed(request, response, routeRules ? { routeRules } : undefined);
    if (!session) {
      const signIn = signInAddressFor(request, config.publicUrl);
      response.setHeader("Location", signIn);
      throw signInNeeded(signIn);
    }
    return { status: 204, headers: answers.identityHeaders(session.record, routeRules) };
  };
}

/** Rules by query string, parsed once (a rule that is not understood is not remembered: it throws each time). */
function rememberedRules(): (url: string) => AccessRules | null {
  const remembered = new Map<string, AccessRules | null>();
  return (url) => {
    const queryStart = url.indexOf("?");
    if (queryStart === -1) return null;
    const query = url.slice(queryStart + 1);
    const known = remembered.get(query);
    if (known !== undefined) return known;
    const rules = parseRouteRule(query);
    if (remembered.size >= MAX_REMEMBERED_RULES) remembered.clear();
    remembered.set(query, rules);
    return rules;
  };
}
