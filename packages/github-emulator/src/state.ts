// Everything the emulator remembers, in memory and per instance (several emulators can share a
// process). Expiry is always decided by the injected Clock, never by Date.now(). Every collection is
// bounded (EmulatorLimits), and what has expired is swept out as the clock passes it: on the write
// paths, never from a timer, so an idle emulator costs nothing and keeps no process alive.
import { randomBytes } from "node:crypto";
import { pushBounded, trimOldest } from "./bounded.js";
import type { Clock } from "./clock.js";
import type { AccessTokenRecord, AuthorizationCode, RefreshTokenRecord, TokenLifetimes } from "./records.js";
import { generateToken } from "./token-format.js";
import type { EmulatorClient, EmulatorLimits, EmulatorUser } from "./types.js";

/** How often (in emulator time) the write paths look for expired entries: each sweep walks every map. */
const SWEEP_INTERVAL_MS = 60_000;

export class EmulatorState {
  /** Codes not yet presented; presenting one removes it (single use). */
  private readonly codes = new Map<string, AuthorizationCode>();
  /** Live access tokens only; revoked ones are deleted, expired ones at the next sweep. */
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  /** Refresh tokens until they expire, with their status, so a reuse can be told from a stranger. */
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Scopes each user has granted each client, keyed `userId:clientId` (bounded by users × clients). */
  readonly grants = new Map<string, string[]>();
  /** The most recent values issued (limits.records): tests need them to prove no token leaked. */
  readonly issuedAccessTokens: string[] = [];
  readonly issuedRefreshTokens: string[] = [];
  private nextTokenId = 1;
  private nextSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly clients: EmulatorClient[],
    readonly users: EmulatorUser[],
    readonly clock: Clock,
    readonly lifetimes: TokenLifetimes,
    readonly limits: EmulatorLimits,
  ) {}

  client(clientId: string | undefined): EmulatorClient | undefined {
    return this.clients.find((client) => client.clientId === clientId);
  }

  /** Logins are case-insensitive on GitHub. */
  userByLogin(login: string | undefined): EmulatorUser | undefined {
    const wanted = login?.toLowerCase();
    return this.users.find((user) => user.login.toLowerCase() === wanted);
  }

  userById(id: number): EmulatorUser | undefined {
    return this.users.find((user) => user.id === id);
  }

  /** Codes look like GitHub's: 20 hex characters, 10 minutes of life by default. */
  createCode(fields: Omit<AuthorizationCode, "code" | "expiresAt">): AuthorizationCode {
    this.sweepIfDue();
    const code: AuthorizationCode = {
      ...fields,
      code: randomBytes(10).toString("hex"),
      expiresAt: this.clock.now() + this.lifetimes.codeTtlSeconds * 1000,
    };
    this.codes.set(code.code, code);
    trimOldest(this.codes, this.limits.pendingCodes);
    return code;
  }

  /** The code, which is spent by being presented (right or wrong, a second try finds nothing). */
  takeCode(code: string | undefined): AuthorizationCode | undefined {
    const record = code === undefined ? undefined : this.codes.get(code);
    if (record) this.codes.delete(record.code);
    return record;
  }

  issueTokens(grant: { clientId: string; userId: number; scopes: string[]; expiring: boolean }): AccessTokenRecord {
    this.sweepIfDue();
    const client = this.client(grant.clientId);
    const now = this.clock.now();
    const access: AccessTokenRecord = {
      id: this.nextTokenId++,
      token: generateToken(client?.type === "github-app" ? "ghu_" : "gho_"),
      clientId: grant.clientId,
      userId: grant.userId,
      scopes: grant.scopes,
      createdAt: now,
      expiresAt: grant.expiring ? now + this.lifetimes.accessTokenTtlSeconds * 1000 : null,
      refreshToken: null,
    };
    if (grant.expiring) {
      const refresh: RefreshTokenRecord = {
        token: generateToken("ghr_"),
        clientId: grant.clientId,
        userId: grant.userId,
        scopes: grant.scopes,
        expiresAt: now + this.lifetimes.refreshTokenTtlSeconds * 1000,
        status: "active",
        accessToken: access.token,
      };
      access.refreshToken = refresh.token;
      this.refreshTokens.set(refresh.token, refresh);
      trimOldest(this.refreshTokens, this.limits.tokens);
      pushBounded(this.issuedRefreshTokens, refresh.token, this.limits.records);
    }
    this.addAccessToken(access);
    return access;
  }

  private addAccessToken(record: AccessTokenRecord): void {
    this.accessTokens.set(record.token, record);
    trimOldest(this.accessTokens, this.limits.tokens);
    pushBounded(this.issuedAccessTokens, record.token, this.limits.records);
  }

  /** The record of a token that still works: issued, not revoked, not expired by the clock. */
  liveAccessToken(token: string | undefined): AccessTokenRecord | undefined {
    const record = token === undefined ? undefined : this.accessTokens.get(token);
    if (!record || (record.expiresAt !== null && this.clock.now() >= record.expiresAt)) return undefined;
    return record;
  }

  refreshTokenRecord(token: string | undefined): RefreshTokenRecord | undefined {
    return token === undefined ? undefined : this.refreshTokens.get(token);
  }

  isRefreshTokenUsable(record: RefreshTokenRecord): boolean {
    return record.status === "active" && this.clock.now() < record.expiresAt;
  }

  /** Strict rotation: the presented refresh token and the access token it came with die at once. */
  rotate(record: RefreshTokenRecord): AccessTokenRecord {
    record.status = "used";
    this.accessTokens.delete(record.accessToken);
    return this.issueTokens({ clientId: record.clientId, userId: record.userId, scopes: record.scopes, expiring: true });
  }

  /** PATCH /applications/{client_id}/token: a new token replaces the old one, which dies at once. */
  resetAccessToken(old: AccessTokenRecord): AccessTokenRecord {
    this.accessTokens.delete(old.token);
    const now = this.clock.now();
    const fresh: AccessTokenRecord = {
      ...old,
      id: this.nextTokenId++,
      token: generateToken(old.token.startsWith("ghu_") ? "ghu_" : "gho_"),
      createdAt: now,
      expiresAt: old.expiresAt === null ? null : now + this.lifetimes.accessTokenTtlSeconds * 1000,
    };
    const refresh = this.refreshTokenRecord(old.refreshToken ?? undefined);
    if (refresh) refresh.accessToken = fresh.token;
    this.addAccessToken(fresh);
    return fresh;
  }

  /** Kills an access token and the refresh token issued with it (nothing may mint a successor). */
  revokeAccessToken(record: AccessTokenRecord): void {
    this.accessTokens.delete(record.token);
    const refresh = this.refreshTokenRecord(record.refreshToken ?? undefined);
    if (refresh?.status === "active") refresh.status = "revoked";
  }

  /** The user revoked the app (or the app deleted its grant): every token of theirs dies. */
  revokeAuthorization(userId: number, clientId: string): void {
    for (const record of this.accessTokens.values()) {
      if (record.userId === userId && record.clientId === clientId) this.accessTokens.delete(record.token);
    }
    for (const record of this.refreshTokens.values()) {
      if (record.userId === userId && record.clientId === clientId && record.status === "active") record.status = "revoked";
    }
    this.grants.delete(`${userId}:${clientId}`);
  }

  recordGrant(userId: number, clientId: string, scopes: string[]): void {
    const key = `${userId}:${clientId}`;
    this.grants.set(key, [...new Set([...(this.grants.get(key) ?? []), ...scopes])]);
  }

  memoryUse(): { pendingCodes: number; accessTokens: number; refreshTokens: number } {
    return { pendingCodes: this.codes.size, accessTokens: this.accessTokens.size, refreshTokens: this.refreshTokens.size };
  }

  /**
   * Drops what the clock has made useless: expired codes, expired access tokens, and refresh tokens
   * past their expiry (used or revoked ones included: after expiry a reuse reads like any bad token).
   */
  private sweepIfDue(): void {
    const now = this.clock.now();
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [value, code] of this.codes) if (now >= code.expiresAt) this.codes.delete(value);
    for (const [value, token] of this.accessTokens) if (token.expiresAt !== null && now >= token.expiresAt) this.accessTokens.delete(value);
    for (const [value, token] of this.refreshTokens) if (now >= token.expiresAt) this.refreshTokens.delete(value);
  }
}
