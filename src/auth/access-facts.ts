// Asking GitHub for the facts the allow-lists are decided on (auth/access.ts), each with the ETag of
// its last answer, so an unchanged membership or permission costs no rate limit. The facts live in
// the session record; per-route rules add the ones they need the first time they meet a session,
// and a revalidation renews every fact the session holds.
import type { GitHubClient } from "../github/client.js";
import type { AccessCheck } from "../github/client.js";
import type { AccessFact, AccessFacts } from "./access.js";

/** At most this many facts per session: route rules come from the proxy, but nothing stops a client sending its own. */
export const MAX_FACTS_PER_SESSION = 64;

export function checkFor(key: string, login: string): AccessCheck {
  const kind = key.slice(0, key.indexOf(":"));
  const name = key.slice(kind.length + 1);
  if (kind === "org") return { kind: "org", org: name };
  if (kind === "repo") return { kind: "repo", repo: name };
  const [org = "", slug = ""] = name.split("/");
  return { kind: "team", org, slug, login };
}

/** What GitHub says now of each key, asked in parallel; a 304 keeps what was known. */
export async function askGitHub(github: GitHubClient, accessToken: string, login: string, keys: Iterable<string>, known: AccessFacts = {}): Promise<AccessFacts> {
  const wanted = [...new Set(keys)];
  const answers = await Promise.all(wanted.map((key) => askOne(github, accessToken, login, key, known[key])));
  return Object.fromEntries(wanted.map((key, index) => [key, answers[index]!]));
}

async function askOne(github: GitHubClient, accessToken: string, login: string, key: string, known: AccessFact | undefined): Promise<AccessFact> {
  const answer = await github.checkAccess(accessToken, checkFor(key, login), known?.etag ?? null);
  if (answer.notModified) return known!;
  return {
    level: answer.level,
    ...(answer.etag ? { etag: answer.etag } : {}),
    ...(answer.ssoUrl ? { ssoUrl: answer.ssoUrl } : {}),
    ...(answer.appCannotSee ? { appCannotSee: true as const } : {}),
  };
}

/** The facts per-route rules brought in (the server-wide lists' own are asked afresh at each revalidation). */
export function routeFactsOf(facts: AccessFacts | undefined): AccessFacts {
  return Object.fromEntries(Object.entries(facts ?? {}).filter(([, fact]) => fact.forRoute));
}

/** `facts` marked as learned for a per-route rule where `marked` names them so. */
export function markForRoute(facts: AccessFacts, marked: (key: string) => boolean): AccessFacts {
  return Object.fromEntries(Object.entries(facts).map(([key, fact]) => [key, marked(key) ? { ...fact, forRoute: true as const } : fact]));
}

/**
 * `current` with `added` on top, keeping at most MAX_FACTS_PER_SESSION: the facts the server-wide
 * lists need are always kept; beyond them the oldest route facts make room for new ones.
 */
export function mergeFacts(current: AccessFacts | undefined, added: AccessFacts, keep: Set<string>): AccessFacts {
  const merged: AccessFacts = { ...current };
  for (const [key, fact] of Object.entries(added)) {
    delete merged[key]; // re-inserted last: the newest
    merged[key] = fact;
  }
  const keys = Object.keys(merged);
  for (let excess = keys.length - MAX_FACTS_PER_SESSION, index = 0; excess > 0 && index < keys.length; index += 1) {
    if (keep.has(keys[index]!) || keys[index]! in added) continue;
    delete merged[keys[index]!];
    excess -= 1;
  }
  return merged;
}
