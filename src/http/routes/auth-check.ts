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
import { parse as parseQuery } from "node:querystring";
import type { RequestHandler } from "express";
import { groupsOf, serverRules } from "../../auth/access.js";
import type { SignedInRecord } from "../../auth/session-record.js";
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

/** What a check answers, shared by this route and the same path answered before Express (read-paths-first.ts). */
export interface CheckAnswers {
  /** The per-route rule in this request URL, null when it names none; a malformed one is a 400 that says what is wrong. */
  routeRulesOf(url: string): AccessRules | null;
  /** The 204's headers, in order: who is signed in, and the groups of the server's lists and the route's rule. */
  identityHeaders(record: SignedInRecord, routeRules: AccessRules | null): [string, string][];
}

export function checkAnswers(config: Config): CheckAnswers {
  const server = serverRules(config);
  return {
    routeRulesOf: rememberedRules(),
    identityHeaders: ({ user, access }, routeRules) => [
      ["X-Auth-Request-User", user.login],
      ["X-Auth-Request-User-Id", String(user.id)],
      ["X-Auth-Request-Email", user.email && HEADER_SAFE.test(user.email) ? user.email : ""],
      ["X-Auth-Request-Groups", groupsOf(access, server, ...(routeRules ? [routeRules] : [])).join(",")],
    ],
  };
}

export function authCheck(sessions: AllowedSessions, config: Config, answers: CheckAnswers): RequestHandler {
  return async (request, response) => {
    const routeRules = answers.routeRulesOf(request.url);
    const session = await sessions.allowed(request, response, routeRules ? { routeRules } : undefined);
    if (!session) {
      const signIn = signInAddressFor(request, config.publicUrl);
      response.setHeader("Location", signIn);
      throw signInNeeded(signIn);
    }
    for (const [name, value] of answers.identityHeaders(session.record, routeRules)) response.setHeader(name, value);
    response.status(204).end();
  };
}

/** Parses with node:querystring, as Express's own query parser does, so both paths read a query alike. */
function rememberedRules(): (url: string) => AccessRules | null {
  const remembered = new Map<string, AccessRules | null>();
  return (url) => {
    const queryStart = url.indexOf("?");
    if (queryStart === -1) return null;
    const query = url.slice(queryStart + 1);
    const known = remembered.get(query);
    if (known !== undefined) return known;
    const rules = parseRouteRules(parseQuery(query));
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
