// Which sessions each GitHub user has, so "sign out everywhere" and the revocation webhook can find
// them. A sorted set per user, scored by the session's absolute end (SESSION_MAX_AGE): entries past
// it are dropped whenever the set is touched, and the set itself expires with its newest member
// (sessions are added in time order with one SESSION_MAX_AGE, so the newest ends last).
import type { Clock } from "../clock.js";
import type { RedisConnection } from "./redis-client.js";

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
  ) {}

  async add(userId: number, sessionId: string, endsAt: number): Promise<void> {
    const key = this.key(userId);
    await this.connection
      .multi()
      .zremrangebyscore(key, "-inf", this.clock.now())
      .zadd(key, endsAt, sessionId)
      .pexpireat(key, endsAt)
      .exec();
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
