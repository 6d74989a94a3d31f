// Asking GitHub for the facts the allow-lists are decided on (auth/access.ts), each with the ETag of
// its last answer, so an unchanged membership or permission costs no rate limit. The facts live in
// the session record; per-route rules add the ones they need the first time they meet a session,
// and revalidations renew them. What a caller can make this cost is bounded: a few calls in flight
// at once, no more calls than the request's budget (github-call-budget.ts), and no more facts kept
// per session than MAX_FACTS_PER_SESSION.
import type { GitHubClient } from "../github/client.js";
import type { AccessCheck } from "../github/client.js";
import type { AccessFact, AccessFacts } from "./access.js";
import type { CallBudget } from "./github-call-budget.js";

/**
 * At most this many facts per session, the server's lists' and the route rules' together: room for
 * two full rules (16 entries each). Route rules come from the proxy, but nothing stops a client
 * sending its own query, so beyond it the oldest route facts make room.
 */
export const MAX_FACTS_PER_SESSION = 32;

/** At most this many calls to GitHub in flight at once for one request. */
export const MAX_PARALLEL_CALLS = 4;

export function checkFor(key: string, login: string): AccessCheck {
  const kind = key.slice(0, key.indexOf(":"));
  const name = key.slice(kind.length + 1);
  if (kind === "org") return { kind: "org", org: name };
  if (kind === "repo") return { kind: "repo", repo: name };
  const [org = "", slug = ""] = name.split("/");
  return { kind: "team", org, slug, login };
}

/**
 * What GitHub says now of each key, in order, at most MAX_PARALLEL_CALLS at a time; a 304 keeps
 * what was known. With a budget, keys beyond it are not asked and are missing from the answer.
 */
export async function askGitHub(
  github: GitHubClient,
  accessToken: string,
  login: string,
  keys: Iterable<string>,
  known: AccessFacts = {},
  budget?: CallBudget,
): Promise<AccessFacts> {
  const wanted = [...new Set(keys)];
  const answers = new Map<string, AccessFact>();
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < wanted.length && (budget?.take() ?? true)) {
      const key = wanted[next++]!;
      try {
        answers.set(key, await askOne(github, accessToken, login, key, known[key]));
      } catch (error) {
        failed = true; // the others stop asking: this answer is thrown away with theirs
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_CALLS, wanted.length) }, worker));
  return Object.fromEntries(wanted.filter((key) => answers.has(key)).map((key) => [key, answers.get(key)!]));
}

async function askOne(
  github: GitHubClient,
  accessToken: string,
  login: string,
  key: string,
  known: AccessFact | undefined,
): Promise<AccessFact> {
  const answer = await github.checkAccess(accessToken, checkFor(key, login), known?.etag ?? null);
  if (answer.notModified) return withoutCheckedAt(known!);
  return {
    level: answer.level,
    ...(answer.etag ? { etag: answer.etag } : {}),
    ...(answer.ssoUrl ? { ssoUrl: answer.ssoUrl } : {}),
    ...(answer.appCannotSee ? { appCannotSee: true as const } : {}),
  };
}

function withoutCheckedAt(fact: AccessFact): AccessFact {
  const { checkedAt: _checkedAt, ...rest } = fact;
  return rest;
}

/** The facts per-route rules brought in (the server-wide lists' own are asked afresh at each revalidation). */
export function routeFactsOf(facts: AccessFacts | undefined): AccessFacts {
  return Object.fromEntries(Object.entries(facts ?? {}).filter(([, fact]) => fact.checkedAt !== undefined));
}

/** The facts of the server-wide lists (those without a checkedAt). */
export function listFactsOf(facts: AccessFacts | undefined): AccessFacts {
  return Object.fromEntries(Object.entries(facts ?? {}).filter(([, fact]) => fact.checkedAt === undefined));
}

/** `facts` as route facts GitHub answered at `checkedAt`. */
export function asRouteFacts(facts: AccessFacts, checkedAt: number): AccessFacts {
  return Object.fromEntries(Object.entries(facts).map(([key, fact]) => [key, { ...fact, checkedAt }]));
}

/** The route facts last answered before `moment`, the longest unanswered first. */
export function routeFactsCheckedBefore(facts: AccessFacts | undefined, moment: number): string[] {
  return Object.entries(facts ?? {})
    .filter(([, fact]) => fact.checkedAt !== undefined && fact.checkedAt < moment)
    .sort(([, a], [, b]) => a.checkedAt! - b.checkedAt!)
    .map(([key]) => key);
}

/** When the longest unanswered route fact was last answered; null when there is none. */
export function oldestRouteCheck(facts: AccessFacts | undefined): number | null {
  let oldest: number | null = null;
  for (const key in facts) {
    const checkedAt = facts[key]!.checkedAt;
    if (checkedAt !== undefined && (oldest === null || checkedAt < oldest)) oldest = checkedAt;
  }
  return oldest;
}

/**
 * `current` with `added` on top, keeping at most MAX_FACTS_PER_SESSION: the facts in `keep` (the
 * server-wide lists need them) and those just added are always kept; beyond them the oldest route
 * facts make room for new ones.
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
