// Session entries in Redis through connect-redis 8 (the line that takes an ioredis client), under
// $REDIS_KEY_PREFIX + "sess:". express-session may only *create* entries (SET NX at sign-in, under a
// fresh random id); everything after that goes through the compare-and-set of SessionEntries.
import { RedisStore } from "connect-redis";
import type { SessionData } from "express-session";
import type { ClientContext, Result } from "ioredis";
import type { Logger } from "pino";
import type { RedisConnection } from "./redis-client.js";
import { asExpressSession, encodeEntry, parseEntry, type SessionEntries, type SessionEntry, type StoredSession } from "./session-entries.js";

const COMPARE_AND_SET = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2], "KEEPTTL")
  return 1
end
return 0`;

/** The entry and its remaining lifetime, read together: one command, one answer. */
const GET_WITH_PTTL = `
local value = redis.call("GET", KEYS[1])
if not value then return false end
return {value, redis.call("PTTL", KEYS[1])}`;

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    /** Defined by RedisSessionStore (GET_WITH_PTTL): [entry, milliseconds left], or null. */
    glsGetWithPttl(key: string): Result<[string, number] | null, Context>;
  }
}

/** A damaged entry reads as "no session" rather than failing every request that carries its cookie. */
const tolerantJson = {
  parse: (text: string) => asExpressSession(parseEntry(text)) as SessionData,
  stringify: (value: SessionData) => encodeEntry(value),
};

export function sessionKeyPrefix(keyPrefix: string): string {
  return `${keyPrefix}sess:`;
}

export class RedisSessionStore extends RedisStore implements SessionEntries {
  private readonly keyPrefix: string;

  constructor(
    private readonly connection: RedisConnection,
    keyPrefix: string,
    private readonly logger: Logger,
  ) {
    super({ client: connection, prefix: sessionKeyPrefix(keyPrefix), serializer: tolerantJson });
    this.keyPrefix = sessionKeyPrefix(keyPrefix);
    // Sent as EVALSHA (the script's text only when Redis does not know it yet).
    connection.defineCommand("glsGetWithPttl", { numberOfKeys: 1, lua: GET_WITH_PTTL });
  }

  /** express-session's save: creation only. An existing entry is never overwritten from here. */
  override async set(sessionId: string, session: SessionData, callback?: (error?: unknown) => void): Promise<void> {
    try {
      const ttlSeconds = secondsUntilExpiry(session);
      if (ttlSeconds <= 0) return void (await this.destroy(sessionId, callback));
      const created = await this.connection.set(this.key(sessionId), encodeEntry(session), "EX", ttlSeconds, "NX");
      // express-session saves a regenerated session once more at the end of the request; that
      // repeat carries the same content and is harmless. Anything else is a change that bypassed
      // the compare-and-set, and is refused loudly.
      if (created !== "OK" && !(await this.holdsSameContent(sessionId, session))) {
        this.logger.error("refused to overwrite an existing session entry from express-session: changes after sign-in must use SessionEntries");
      }
      callback?.();
    } catch (error) {
      if (callback) callback(error);
      else throw error;
    }
  }

  private async holdsSameContent(sessionId: string, session: SessionData): Promise<boolean> {
    const stored = await this.read(sessionId);
    return stored !== null && JSON.stringify(stored.data.auth) === JSON.stringify(session.auth);
  }

  /** Expiry slides through extend() (the session read path), never as a side effect of express-session. */
  override async touch(_sessionId: string, _session: SessionData, callback?: () => void): Promise<void> {
    callback?.();
  }

  async read(sessionId: string): Promise<SessionEntry | null> {
    return parseEntry(await this.connection.get(this.key(sessionId)));
  }

  async readWithExpiry(sessionId: string): Promise<{ entry: SessionEntry; expiresInMs: number } | null> {
    const answer = await this.connection.glsGetWithPttl(this.key(sessionId));
    const entry = parseEntry(answer?.[0]);
    if (!answer || !entry) return null;
    // -1 (no expiry at all) is something no write here makes; 0 lets the read path give it one.
    return { entry, expiresInMs: Math.max(0, answer[1]) };
  }

  async extend(sessionId: string, ttlMs: number): Promise<void> {
    await this.connection.pexpire(this.key(sessionId), Math.max(1, Math.ceil(ttlMs)));
  }

  async replace(sessionId: string, expected: SessionEntry, data: StoredSession): Promise<boolean> {
    const answer = await this.connection.eval(COMPARE_AND_SET, 1, this.key(sessionId), expected.raw, encodeEntry(data));
    return answer === 1;
  }

  async delete(sessionIds: string[]): Promise<void> {
    // One DEL per key: in a Redis Cluster the keys live in different slots.
    await Promise.all(sessionIds.map((sessionId) => this.connection.del(this.key(sessionId))));
  }

  private key(sessionId: string): string {
    return `${this.keyPrefix}${sessionId}`;
  }
}

/** The entry lives as long as its cookie (express-session sets cookie.expires from the idle timeout). */
function secondsUntilExpiry(session: SessionData): number {
  const expires = session.cookie?.expires ? new Date(session.cookie.expires).getTime() : Number.NaN;
  return Number.isFinite(expires) ? Math.ceil((expires - Date.now()) / 1000) : 86_400;
}
