// GET /auth/check: the question a reverse proxy asks before passing a request on (nginx
// auth_request, Traefik forwardAuth, Caddy forward_auth). 204 with who is signed in, or 401. It is
// asked on every proxied request, so it costs one session read and never waits for GitHub: it
// answers from the profile and access decision cached with the session, and a revalidation that is
// due runs in the background (auth/access-gate.ts). Signed in but no longer allowed → 403.
// The 401 carries `Location`: the sign-in for the page the proxy names in X-Forwarded-Uri
// (sign-in-address.ts), which the proxy sends the browser to; the 401 page's button leads there too.
// X-Auth-Request-Email and X-Auth-Request-Groups are always sent, empty when unknown or none, so
// that a proxy copying them never falls back to a client's copy or to a placeholder of its own.
// `?users=&orgs=&teams=&repos=` narrows the decision for one proxied location (SPEC §7); the first
// check of a rule the session has not met may ask GitHub once, later ones answer from the session.
import type { Request, RequestHandler } from "express";
import { groupsOf, serverRules } from "../../auth/access.js";
import { isEmptyRules, MAX_RULE_ENTRIES, parseAccessRules, type AccessRules } from "../../config/access-rules.js";
import type { Config } from "../../config/config.js";
import { badRequest } from "../../errors.js";
import type { AllowedSessions } from "../allowed-session.js";
import { signInAddressFor, signInNeeded } from "../sign-in-address.js";

/** Printable ASCII only: a header value must never carry a line break or other control. */
const HEADER_SAFE = /^[\x20-\x7e]{1,320}$/;
const RULE_PARAMETERS = ["users", "orgs", "teams", "repos"] as const;
/** Parsed rules by query string: a proxy sends the same few rules on every request. */
const MAX_REMEMBERED_RULES = 256;

export function authCheck(sessions: AllowedSessions, config: Config): RequestHandler {
  const server = serverRules(config);
  const routeRulesOf = rememberedRules();
  return async (request, response) => {
    const routeRules = routeRulesOf(request);
    const session = await sessions.allowed(request, response, routeRules ? { routeRules } : undefined);
    if (!session) {
      const signIn = signInAddressFor(request, config.publicUrl);
      response.setHeader("Location", signIn);
      throw signInNeeded(signIn);
    }
    const { user, access } = session.record;
    response.setHeader("X-Auth-Request-User", user.login);
    response.setHeader("X-Auth-Request-User-Id", String(user.id));
    response.setHeader("X-Auth-Request-Email", user.email && HEADER_SAFE.test(user.email) ? user.email : "");
    response.setHeader("X-Auth-Request-Groups", groupsOf(access, server, ...(routeRules ? [routeRules] : [])).join(","));
    response.status(204).end();
  };
}

/** The request's per-route rule, null when it names none; a malformed one is a 400 that says what is wrong. */
function rememberedRules(): (request: Request) => AccessRules | null {
  const remembered = new Map<string, AccessRules | null>();
  return (request) => {
    const queryStart = request.url.indexOf("?");
    if (queryStart === -1) return null;
    const query = request.url.slice(queryStart + 1);
    const known = remembered.get(query);
    if (known !== undefined) return known;
    const rules = parseRouteRules(request.query as Record<string, unknown>);
    if (remembered.size >= MAX_REMEMBERED_RULES) remembered.clear();
    remembered.set(query, rules);
    return rules;
  };
}

function parseRouteRules(query: Record<string, unknown>): AccessRules | null {
  const lists: Record<string, string | undefined> = {};
  for (const name of RULE_PARAMETERS) {
    const value = query[name];
    if (value !== undefined && typeof value !== "string") throw badRequest(`The ${name} rule must be given once, as a comma-separated list.`);
    lists[name] = value;
  }
  const parsed = parseAccessRules(lists, { users: "users", orgs: "orgs", teams: "teams", repos: "repos" }, MAX_RULE_ENTRIES);
  if (!parsed.ok) throw badRequest(`This /auth/check rule is not valid: ${parsed.errors.join("; ")}.`);
  return isEmptyRules(parsed.rules) ? null : parsed.rules;
}
