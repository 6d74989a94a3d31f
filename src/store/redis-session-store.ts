// Session entries in Redis, under $REDIS_KEY_PREFIX + "sess:", in connect-redis 8's layout (the
// line that takes an ioredis client): connect-redis loads and deletes them for express-session, and
// creating one is SET NX under a fresh random id. express-session reaches them only through
// ExpressSessionStore (express-session-store.ts); everything after sign-in goes through the
// compare-and-set of SessionEntries.
import { RedisStore } from "connect-redis";
import type { SessionData } from "express-session";
import type { ClientContext, Result } from "ioredis";
import { DecodedEntries } from "./decoded-entries.js";
import type { RedisConnection } from "./redis-client.js";
import { encodeEntry, parseEntry, type SessionEntries, type SessionEntry, type StoredSession } from "./session-entries.js";

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
  parse: (text: string) => (parseEntry(text)?.data ?? null) as SessionData,
  stringify: ({ cookie: _cookie, ...data }: SessionData) => encodeEntry(data),
};

export function sessionKeyPrefix(keyPrefix: string): string {
  return `${keyPrefix}sess:`;
}

export class RedisSessionStore extends RedisStore implements SessionEntries {
  private readonly keyPrefix: string;
  /** The session reader's reads, decoded once per stored text (decoded-entries.ts). */
  private readonly decoded = new DecodedEntries();

  constructor(
    private readonly connection: RedisConnection,
    keyPrefix: string,
  ) {
    // disableTouch: expiry slides through extend() (the session read path), never as a side effect of express-session.
    super({ client: connection, prefix: sessionKeyPrefix(keyPrefix), serializer: tolerantJson, disableTouch: true });
    this.keyPrefix = sessionKeyPrefix(keyPrefix);
    // Sent as EVALSHA (the script's text only when Redis does not know it yet).
    connection.defineCommand("glsGetWithPttl", { numberOfKeys: 1, lua: GET_WITH_PTTL });
  }

  async create(sessionId: string, data: StoredSession, ttlMs: number): Promise<boolean> {
    const created = await this.connection.set(this.key(sessionId), encodeEntry(data), "PX", Math.max(1, Math.ceil(ttlMs)), "NX");
    return created === "OK";
  }

  async read(sessionId: string): Promise<SessionEntry | null> {
    return parseEntry(await this.connection.get(this.key(sessionId)));
  }

  async readWithExpiry(sessionId: string): Promise<{ entry: SessionEntry; expiresInMs: number } | null> {
    const answer = await this.connection.glsGetWithPttl(this.key(sessionId));
    const entry = this.decoded.decode(sessionId, answer?.[0]);
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
