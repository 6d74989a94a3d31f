// What the emulator stores about codes and tokens (see state.ts for the store itself). A code is
// forgotten once presented (it is single use), so a stored code is always a pending one.

export interface AuthorizationCode {
  code: string;
  clientId: string;
  userId: number;
  /** The redirect URI the code was sent to; a token request naming another one is refused. */
  redirectUri: string;
  scopes: string[];
  /** OAuth App `offline_access`: this sign-in gets an expiring token + refresh token. */
  offlineAccess: boolean;
  codeChallenge: string | null;
  expiresAt: number;
}

export interface AccessTokenRecord {
  id: number;
  token: string;
  clientId: string;
  userId: number;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  refreshToken: string | null;
}

export interface RefreshTokenRecord {
  token: string;
  clientId: string;
  userId: number;
  scopes: string[];
  expiresAt: number;
  /** used: rotated away (presenting it again is a reuse); revoked: killed by the user or the app. */
  status: "active" | "used" | "revoked";
  accessToken: string;
}

export interface TokenLifetimes {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  codeTtlSeconds: number;
}
