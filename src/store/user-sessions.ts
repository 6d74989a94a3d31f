// Which sessions each GitHub user has, so "sign out everywhere" and the revocation webhook can find
// them. A sorted set per user, scored by the session's absolute end (SESSION_MAX_AGE): entries past
// it are dropped whenever the set is touched, and the set itself expires with its newest member
// (sessions are added in time order with one SESSION_MAX_AGE, so the newest ends last).
import type { ClientContext, Result } from "ioredis";
import type { Clock } from "../clock.js";
import type { RedisConnection } from "./redis-client.js";

/** Prune, add, and expire with the newest member: one command (a script) instead of a MULTI of five. */
const ADD_SESSION = `
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
redis.call("ZADD", KEYS[1], ARGV[2], ARGV[3])
-- The set lives as long as its latest session: sign-ins racing each other (or instances whose
-- clocks differ) may add a session that ends before one already there.
local latest = redis.call("ZRANGE", KEYS[1], -1, -1, "WITHSCORES")
redis.call("PEXPIREAT", KEYS[1], latest[2])
return 1`;

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    /** Defined by RedisUserSessions (ADD_SESSION): key, now, the session's end, its id. */
    glsAddUserSession(key: string, now: number, endsAt: number, sessionId: string): Result<number, Context>;
  }
}

export interface UserSessions {
  add(userId: number, sessionId: string, endsAt: number): Promise<void>;
  remove(userId: number, sessionId: string): Promise<void>;
  /** Live session ids of the user (some may have ended by idling; deleting them is harmless). */
  list(userId: number): Promise<string[]>;
  clear(userId: number): Promise<void>;
}

export class RedisUserSessions implements UserSessions {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
    private readonly clock: Clock,
  ) {
    // Sent as EVALSHA (the script's text only when Redis does not know it yet).
    connection.defineCommand("glsAddUserSession", { numberOfKeys: 1, lua: ADD_SESSION });
  }

  async add(userId: number, sessionId: string, endsAt: number): Promise<void> {
    await this.connection.glsAddUserSession(this.key(userId), this.clock.now(), endsAt, sessionId);
  }

  async remove(userId: number, sessionId: string): Promise<void> {
    await this.connection.zrem(this.key(userId), sessionId);
  }

  async list(userId: number): Promise<string[]> {
    return this.connection.zrangebyscore(this.key(userId), `(${this.clock.now()}`, "+inf");
  }

  async clear(userId: number): Promise<void> {
    await this.connection.del(this.key(userId));
  }

  private key(userId: number): string {
    return `${this.keyPrefix}user:${userId}:sessions`;
  }
}

export class MemoryUserSessions implements UserSessions {
  private readonly byUser = new Map<number, Map<string, number>>();

  constructor(private readonly clock: Clock) {}

  async add(userId: number, sessionId: string, endsAt: number): Promise<void> {
    const sessions = this.byUser.get(userId) ?? new Map<string, number>();
    for (const [id, end] of sessions) if (end <= this.clock.now()) sessions.delete(id);
    sessions.set(sessionId, endsAt);
    this.byUser.set(userId, sessions);
  }

  async remove(userId: number, sessionId: string): Promise<void> {
    this.byUser.get(userId)?.delete(sessionId);
  }

  async list(userId: number): Promise<string[]> {
    const now = this.clock.now();
    return [...(this.byUser.get(userId) ?? new Map<string, number>())].filter(([, end]) => end > now).map(([id]) => id);
  }

  async clear(userId: number): Promise<void> {
    this.byUser.delete(userId);
  }
}
