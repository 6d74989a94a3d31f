// Everything the server keeps outside its own memory, behind small interfaces: Redis in
// production, this process's memory in demo mode without Redis.
import type { Store } from "express-session";
import type { Clock } from "../clock.js";
import { MemoryDeviceAttempts, RedisDeviceAttempts, type DeviceAttempts } from "./device-attempts.js";
import { MemoryLocks, RedisLocks, type Locks } from "./locks.js";
import { MemorySessionStore } from "./memory-session-store.js";
import { MemoryOneTimeMarker, RedisOneTimeMarker, type OneTimeMarker } from "./one-time-marker.js";
import { redisOidcRecords, type OidcRecordsFactory } from "./oidc-records.js";
import { memoryOidcRecords } from "./oidc-records-memory.js";
import { memoryRateLimiters, redisRateLimiters, type RateLimiterFactory } from "./rate-limiters.js";
import { pingRedis, type RedisConnection } from "./redis-client.js";
import { RedisSessionStore } from "./redis-session-store.js";
import type { SessionEntries } from "./session-entries.js";
import { MemoryUserSessions, RedisUserSessions, type UserSessions } from "./user-sessions.js";

export interface StorageBackend {
  /** express-session's store, which also offers compare-and-set access to the same entries. */
  sessionStore: Store & SessionEntries;
  locks: Locks;
  userSessions: UserSessions;
  oneTimeMarker: OneTimeMarker;
  /** Device sign-ins in progress (DEVICE_FLOW). */
  deviceAttempts: DeviceAttempts;
  /** The OpenID Connect provider's codes, tokens and grants (oidc-provider's adapter, one store per model). */
  oidcAdapter: OidcRecordsFactory;
  /** True when the store answers (for /readyz). */
  checkReady: () => Promise<boolean>;
  rateLimiter: RateLimiterFactory;
}

export function redisBackend(connection: RedisConnection, keyPrefix: string, clock: Clock): StorageBackend {
  return {
    sessionStore: new RedisSessionStore(connection, keyPrefix),
    locks: new RedisLocks(connection, keyPrefix),
    userSessions: new RedisUserSessions(connection, keyPrefix, clock),
    oneTimeMarker: new RedisOneTimeMarker(connection, keyPrefix),
    deviceAttempts: new RedisDeviceAttempts(connection, keyPrefix),
    oidcAdapter: redisOidcRecords(connection, keyPrefix, clock),
    checkReady: () => pingRedis(connection),
    rateLimiter: redisRateLimiters(connection, keyPrefix),
  };
}

export function memoryBackend(clock: Clock): StorageBackend {
  return {
    sessionStore: new MemorySessionStore(clock),
    locks: new MemoryLocks(clock),
    userSessions: new MemoryUserSessions(clock),
    oneTimeMarker: new MemoryOneTimeMarker(clock),
    deviceAttempts: new MemoryDeviceAttempts(clock),
    oidcAdapter: memoryOidcRecords(clock),
    checkReady: async () => true,
    rateLimiter: memoryRateLimiters(),
  };
}
