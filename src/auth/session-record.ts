// What a signed-in session holds in the store. Tokens are sealed (see sealer.ts) with the user id
// bound in, so the record is safe to keep in Redis and useless if copied to another user's entry.
import type { ClientType } from "../config/config.js";
import type { GitHubProfile } from "../github/profile.js";
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

export function signedInRecordFor(completed: CompletedSignIn, sealer: Sealer, now: number): SignedInRecord {
  const { profile, tokens } = completed;
  return {
    user: profile,
    profileEtag: completed.profileEtag,
    profileFetchedAt: now,
    signedInAt: now,
    github: {
      clientType: completed.clientType,
      scopes: tokens.scopes,
      sealedAccessToken: sealer.seal(tokens.accessToken, accessTokenContext(profile.id)),
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      sealedRefreshToken: tokens.refreshToken ? sealer.seal(tokens.refreshToken, refreshTokenContext(profile.id)) : null,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    },
  };
}
