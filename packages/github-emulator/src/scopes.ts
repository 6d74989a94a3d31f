// OAuth App scopes as GitHub treats them: the authorize request separates them with spaces (commas
// work too), the token response joins granted scopes with "," (no space), X-OAuth-Scopes with ", ".
// Granted scopes are normalised: a scope another granted scope already covers is dropped, e.g.
// "user,gist,user:email" becomes "user,gist" [docs: scopes-for-oauth-apps].

/** Which scopes each scope grants on its own (the docs' scope table); coverage is transitive. */
const COVERS: Record<string, string[]> = {
  user: ["read:user", "user:email", "user:follow"],
  repo: ["repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"],
  "admin:org": ["write:org", "read:org"],
  "write:org": ["read:org"],
  "admin:public_key": ["write:public_key", "read:public_key"],
  "write:public_key": ["read:public_key"],
  "admin:repo_hook": ["write:repo_hook", "read:repo_hook"],
  "write:repo_hook": ["read:repo_hook"],
  "admin:gpg_key": ["write:gpg_key", "read:gpg_key"],
  "write:gpg_key": ["read:gpg_key"],
  "write:packages": ["read:packages"],
  "write:discussion": ["read:discussion"],
  project: ["read:project"],
};

/** `offline_access` asks for an expiring token + refresh token; it is never recorded as a scope. */
const OFFLINE_ACCESS = "offline_access";

export interface RequestedScopes {
  scopes: string[];
  offlineAccess: boolean;
}

export function parseRequestedScopes(raw: string | undefined): RequestedScopes {
  const words = (raw ?? "").split(/[\s,]+/).filter((word) => word.length > 0);
  const offlineAccess = words.includes(OFFLINE_ACCESS);
  return { scopes: normaliseScopes(words.filter((word) => word !== OFFLINE_ACCESS)), offlineAccess };
}

/** Deduplicates (keeping first-seen order) and drops scopes covered by another one in the list. */
export function normaliseScopes(scopes: string[]): string[] {
  const unique = [...new Set(scopes)];
  return unique.filter((scope) => !unique.some((other) => other !== scope && coveredScopes(other).has(scope)));
}

/** True when `granted` includes `wanted` directly or through a covering scope. */
export function hasScope(granted: string[], wanted: string): boolean {
  return granted.some((scope) => scope === wanted || coveredScopes(scope).has(wanted));
}

function coveredScopes(scope: string): Set<string> {
  const covered = new Set<string>();
  const pending = [...(COVERS[scope] ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (covered.has(next)) continue;
    covered.add(next);
    pending.push(...(COVERS[next] ?? []));
  }
  return covered;
}
