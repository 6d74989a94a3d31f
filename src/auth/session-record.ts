// What a signed-in session holds in the store. Tokens are sealed (see sealer.ts) with the user id
// bound in, so the record is safe to keep in Redis and useless if copied to another user's entry.
// Access and refresh token share one envelope: one key id, IV and tag instead of two, which keeps
// a session entry holding both tokens ~70 bytes smaller.
import type { ClientType } from "../config/config.js";
import type { GitHubProfile } from "../github/profile.js";
import type { TokenSet } from "../github/token-response.js";
import type { AccessFacts } from "./access.js";
import type { Sealer } from "../sealer.js";
import type { CompletedSignIn } from "./sign-in-flow.js";

export interface StoredGitHubAuth {
  clientType: ClientType;
  scopes: string[];
  /** The access token and, when there is one, the refresh token, sealed together. */
  sealedTokens: string;
  accessTokenExpiresAt: number | null;
  refreshTokenExpiresAt: number | null;
}

export interface SignedInRecord {
  user: GitHubProfile;
  profileEtag: string | null;
  /** When GitHub was last asked about this session: profile, memberships and the token itself. */
  profileFetchedAt: number;
  /**
   * What GitHub said of the memberships and permissions the lists name (auth/access.ts); absent
   * when no list needs any. A fact missing here is "unknown" and asked for once.
   */
  access?: AccessFacts;
  signedInAt: number;
  github: StoredGitHubAuth;
  /** The browser's User-Agent at sign-in (shortened), so its owner can tell their sessions apart (/sessions). */
  userAgent?: string;
  /** The protected host the sign-in was made for (SPEC §6), so its owner sees where (/sessions); absent for the login host. */
  host?: string;
  /** "device": a program's session, named by a session token (DEVICE_FLOW); absent for a browser's. */
  kind?: "device" | "oidc";
  /**
   * An OpenID Connect grant's session (kind "oidc", SPEC §9): the client, oidc-provider's grant, and
   * the sign-in session it was made from, whose GitHub token it uses (oidc/grant-tokens.ts); the
   * user's verified primary email as GitHub gave it then, when there is one.
   */
  oidc?: { clientId: string; grantId: string; parent: string; email?: string };
  /**
   * A revocation webhook GitHub could not confirm (outage, throttling; SPEC §4): instead of ending
   * the session, its next answer on any route waits for a revalidation with GitHub (the one case a
   * request waits on GitHub; auth/access-gate.ts), and is 503 access_unconfirmed while GitHub cannot
   * be asked. The revalidation that succeeds clears it.
   */
  revalidateFirst?: true;
  /**
   * When a revalidation first failed because GitHub could not answer (down, 5xx, timeout, or the
   * user's own rate limit spent), since the last one that succeeded. A decision that must be
   * confirmed (past ACCESS_MAX_STALE, or revalidateFirst) is then refused at once, 503, instead of
   * making each request wait on GitHub again; background revalidations keep trying, and the first
   * that succeeds clears it.
   */
  unconfirmedSince?: number;
  /**
   * How many facts per-route rules made this session learn (orgs, teams and repos it was never
   * checked against) in the window that started at `since` and lasts PROFILE_MAX_AGE: at most
   * rule-facts.ts's MAX_NEW_FACTS_PER_WINDOW.
   */
  newFacts?: { since: number; count: number };
}

export const sessionKindOf = (record: SignedInRecord): "browser" | "device" | "oidc" => record.kind ?? "browser";

export const tokenContext = (userId: number) => `tokens:${userId}`;

/** The record with a new token pair sealed in (after a refresh). */
export function withTokens(record: SignedInRecord, tokens: TokenSet, sealer: Sealer): SignedInRecord {
  return { ...record, github: { ...record.github, ...sealedTokens(record.user.id, tokens, sealer) } };
}

/** True when the access token expires at or before `moment` (never, for a token without expiry). */
export function accessTokenExpiresBy(record: SignedInRecord, moment: number): boolean {
  return record.github.accessTokenExpiresAt !== null && record.github.accessTokenExpiresAt <= moment;
}

/** True when the refresh token's own expiry has passed at `now` (never, for one without expiry). */
export function refreshTokenExpired(record: SignedInRecord, now: number): boolean {
  return record.github.refreshTokenExpiresAt !== null && record.github.refreshTokenExpiresAt <= now;
}

/** True when `current` holds another token pair than `seen`: someone refreshed in between. */
export function tokensReplaced(seen: SignedInRecord, current: SignedInRecord): boolean {
  // Every seal draws a fresh IV, so a stored token pair that was replaced never compares equal.
  return seen.github.sealedTokens !== current.github.sealedTokens;
}

/** The access token, or null when the envelope does not open. */
export function openAccessToken(record: SignedInRecord, sealer: Sealer): string | null {
  return openTokens(record, sealer)?.accessToken ?? null;
}

/** The refresh token, or null when there is none or the envelope does not open. */
export function openRefreshToken(record: SignedInRecord, sealer: Sealer): string | null {
  return openTokens(record, sealer)?.refreshToken ?? null;
}

function sealedTokens(userId: number, tokens: TokenSet, sealer: Sealer) {
  // A JSON array needs no separator that a token must never contain: it is unambiguous as is.
  const plaintext = JSON.stringify(tokens.refreshToken ? [tokens.accessToken, tokens.refreshToken] : [tokens.accessToken]);
  return {
    sealedTokens: sealer.seal(plaintext, tokenContext(userId)),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
  };
}

function openTokens(record: SignedInRecord, sealer: Sealer): { accessToken: string; refreshToken: string | null } | null {
  const sealed: unknown = record.github.sealedTokens;
  if (typeof sealed !== "string") return null; // a damaged entry: no usable token, so the user signs in again
  const pair = sealer.openJson(sealed, tokenContext(record.user.id));
  if (!Array.isArray(pair) || pair.length < 1 || pair.length > 2) return null;
  if (!pair.every((token) => typeof token === "string" && token !== "")) return null;
  const [accessToken, refreshToken] = pair as string[];
  return { accessToken: accessToken!, refreshToken: refreshToken ?? null };
}

export function signedInRecordFor(completed: CompletedSignIn, sealer: Sealer, now: number): SignedInRecord {
  const { profile, tokens } = completed;
  return {
    user: profile,
    profileEtag: completed.profileEtag,
    profileFetchedAt: now,
    ...(Object.keys(completed.access).length > 0 ? { access: completed.access } : {}),
    signedInAt: now,
    github: { clientType: completed.clientType, scopes: tokens.scopes, ...sealedTokens(profile.id, tokens, sealer) },
  };
}
