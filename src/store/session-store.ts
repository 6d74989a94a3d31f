// Session entries in Redis through connect-redis 8 (the line that takes an ioredis client), under
// $REDIS_KEY_PREFIX + "sess:". In demo mode without Redis, express-session's memory store.
import { RedisStore } from "connect-redis";
import session, { type SessionData, type Store } from "express-session";
import type { RedisConnection } from "./redis-client.js";

/**
 * A damaged entry reads as "no session" (the visitor signs in again) rather than failing every
 * request that carries its cookie.
 */
const tolerantJson = {
  parse(text: string): SessionData {
    try {
      return JSON.parse(text) as SessionData;
    } catch {
      return null as unknown as SessionData; // express-session treats a falsy entry as none
    }
  },
  stringify: (value: unknown) => JSON.stringify(value),
};

export function sessionKeyPrefix(keyPrefix: string): string {
  return `${keyPrefix}sess:`;
}

export function createRedisSessionStore(connection: RedisConnection, keyPrefix: string): Store {
  return new RedisStore({ client: connection, prefix: sessionKeyPrefix(keyPrefix), serializer: tolerantJson });
}

export function createMemorySessionStore(): Store {
  return new session.MemoryStore();
}
