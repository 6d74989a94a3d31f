// What a signed-in session holds in the store. Tokens are sealed (see sealer.ts) with the user id
// bound in, so the record is safe to keep in Redis and useless if copied to another user's entry.
import type { ClientType } from "../config/config.js";
import type { GitHubProfile } from "../github/profile.js";
import type { TokenSet } from "../github/token-response.js";
import type { Sealer } from "../sealer.js";
import type { CompletedSignIn } from "./sign-in-flow.js";

export interface StoredGitHubAuth {
  clientType: ClientType;
  scopes: string[];
  sealedAccessToken: string;
  accessTokenExpiresAt: number | null;
  sealedRefreshToken: string | null;
  refreshTokenExpiresAt: number | null;
}

export interface SignedInRecord {
  user: GitHubProfile;
  profileEtag: string | null;
  profileFetchedAt: number;
  signedInAt: number;
  github: StoredGitHubAuth;
}

declare module "express-session" {
  interface SessionData {
    auth: SignedInRecord;
  }
}

export const accessTokenContext = (userId: number) => `access:${userId}`;
export const refreshTokenContext = (userId: number) => `refresh:${userId}`;

/** The record with a new token pair sealed in (after a refresh). */
export function withTokens(record: SignedInRecord, tokens: TokenSet, sealer: Sealer): SignedInRecord {
  return { ...record, github: { ...record.github, ...sealedTokens(record.user.id, tokens, sealer) } };
}

export function openAccessToken(record: SignedInRecord, sealer: Sealer): string | null {
  return sealer.open(record.github.sealedAccessToken, accessTokenContext(record.user.id));
}

export function openRefreshToken(record: SignedInRecord, sealer: Sealer): string | null {
  const sealed = record.github.sealedRefreshToken;
  return sealed === null ? null : sealer.open(sealed, refreshTokenContext(record.user.id));
}

function sealedTokens(userId: number, tokens: TokenSet, sealer: Sealer) {
  return {
    sealedAccessToken: sealer.seal(tokens.accessToken, accessTokenContext(userId)),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    sealedRefreshToken: tokens.refreshToken ? sealer.seal(tokens.refreshToken, refreshTokenContext(userId)) : null,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
  };
}

export function signedInRecordFor(completed: CompletedSignIn, sealer: Sealer, now: number): SignedInRecord {
  const { profile, tokens } = completed;
  return {
    user: profile,
    profileEtag: completed.profileEtag,
    profileFetchedAt: now,
    signedInAt: now,
    github: { clientType: completed.clientType, scopes: tokens.scopes, ...sealedTokens(profile.id, tokens, sealer) },
  };
}
