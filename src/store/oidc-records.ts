// The OpenID Connect provider's state (SPEC §9), in the server's own storage: codes, tokens, grants,
// interactions, device codes and the provider's sessions, in the shape of oidc-provider's adapter
// (one store per model: upsert, find, findByUid, findByUserCode, consume, destroy, revokeByGrantId).
// Redis here, so every instance serves the same grants; this process's memory in demo mode
// (oidc-records-memory.ts).
//
// Redis layout, under REDIS_KEY_PREFIX: a record is a hash (`payload`, and `consumed` once used) at
// `oidc:<Model>:<id>`. A record that belongs to a grant (a code, token or device code with a grantId)
// lives at `oidc:{<grantId>}:<Model>:<id>` instead, beside its grant's member set
// `oidc:{<grantId>}:grant`, and `oidc:<Model>:<id>` only names the grant. The hash tag puts a grant's
// records and its member set in one Cluster slot, so a record joins its grant, and a revocation
// deletes every record of the grant, each in one atomic script, on Redis, Sentinel or Cluster alike:
// a refresh racing a revocation cannot leave a token behind. oidc-provider gives every record an
// expiry, and its member set lives as long as its longest-lived record.
import type { Clock } from "../clock.js";
import type { RedisConnection } from "./redis-client.js";

/** What oidc-provider stores for one record; `consumed` (epoch seconds) is the store's own. */
export type OidcPayload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

export interface OidcModelRecords {
  /** Writes the record whole, living `expiresInSeconds` (no expiry when undefined). */
  upsert(id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void>;
  find(id: string): Promise<OidcPayload | undefined>;
  /** A provider session by its uid. */
  findByUid(uid: string): Promise<OidcPayload | undefined>;
  /** A device code by the user code a person typed. */
  findByUserCode(userCode: string): Promise<OidcPayload | undefined>;
  /**
   * Marks the record used, once: null when this call marked it (or there is no such record), else
   * when it was marked before (epoch seconds). Atomic, so of parallel calls exactly one gets null.
   */
  consume(id: string): Promise<number | null>;
  destroy(id: string): Promise<void>;
  /** Deletes every record of the grant. */
  revokeByGrantId(grantId: string): Promise<void>;
}

/** One store per oidc-provider model name, all on one backend. */
export type OidcRecordsFactory = (model: string) => OidcModelRecords;

/** The models whose records belong to a grant (revokeByGrantId deletes them). */
export const GRANT_BOUND_MODELS = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

export const epochSeconds = (clock: Clock) => Math.floor(clock.now() / 1000);

/** Replaces a hash with one field, and its expiry (0: none). */
const WRITE_HASH = `
redis.call("DEL", KEYS[1])
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call("PEXPIRE", KEYS[1], ARGV[3]) end
return 1`;

/** A grant's record and its membership, together; the member set lives as long as its longest member. */
const WRITE_IN_GRANT = `
redis.call("DEL", KEYS[1])
redis.call("HSET", KEYS[1], "payload", ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call("PEXPIRE", KEYS[1], ttl) end
local existed = redis.call("EXISTS", KEYS[2])
redis.call("SADD", KEYS[2], ARGV[3])
if ttl == 0 then
  redis.call("PERSIST", KEYS[2])
elseif existed == 0 then
  redis.call("PEXPIRE", KEYS[2], ttl)
else
  local left = redis.call("PTTL", KEYS[2])
  if left >= 0 and left < ttl then redis.call("PEXPIRE", KEYS[2], ttl) end
end
return 1`;

/** Marks a record used unless it was: -1 when marked now (or missing), else the earlier mark. */
const CONSUME = `
if redis.call("EXISTS", KEYS[1]) == 0 then return -1 end
local before = redis.call("HGET", KEYS[1], "consumed")
if before then return tonumber(before) end
redis.call("HSET", KEYS[1], "consumed", ARGV[1])
return -1`;

/**
 * Every record of a grant, then its member set. The records' keys are built here from the hash
 * tag of KEYS[1], so they are in its slot (a Cluster serves them to this script).
 */
const REVOKE_GRANT = `
local members = redis.call("SMEMBERS", KEYS[1])
for _, member in ipairs(members) do redis.call("DEL", ARGV[1] .. member) end
redis.call("DEL", KEYS[1])
return #members`;

type Commands = {
  glsOidcWriteHash(key: string, field: string, value: string, ttlMs: number): Promise<number>;
  glsOidcWriteInGrant(record: string, members: string, payload: string, ttlMs: number, member: string): Promise<number>;
  glsOidcConsume(key: string, now: number): Promise<number>;
  glsOidcRevokeGrant(members: string, recordPrefix: string): Promise<number>;
};

/** Defines the scripts once per connection (sent as EVALSHA, the text only when Redis lacks it). */
function withScripts(connection: RedisConnection): RedisConnection & Commands {
  const defined = connection as RedisConnection & Partial<Commands>;
  if (!defined.glsOidcWriteHash) {
    connection.defineCommand("glsOidcWriteHash", { numberOfKeys: 1, lua: WRITE_HASH });
    connection.defineCommand("glsOidcWriteInGrant", { numberOfKeys: 2, lua: WRITE_IN_GRANT });
    connection.defineCommand("glsOidcConsume", { numberOfKeys: 1, lua: CONSUME });
    connection.defineCommand("glsOidcRevokeGrant", { numberOfKeys: 1, lua: REVOKE_GRANT });
  }
  return connection as RedisConnection & Commands;
}

export function redisOidcRecords(connection: RedisConnection, keyPrefix: string, clock: Clock): OidcRecordsFactory {
  const redis = withScripts(connection);
  const base = `${keyPrefix}oidc:`;
  return (model) => redisModelRecords({ redis, base, clock, model });
}

interface ModelKeys {
  redis: RedisConnection & Commands;
  /** `<prefix>oidc:` */
  base: string;
  clock: Clock;
  model: string;
}

const grantPrefix = (base: string, grantId: string) => `${base}{${grantId}}:`;
const ttlOf = (expiresInSeconds?: number) =>
  typeof expiresInSeconds === "number" && expiresInSeconds > 0 ? Math.ceil(expiresInSeconds * 1000) : 0;

function redisModelRecords({ redis, base, clock, model }: ModelKeys): OidcModelRecords {
  const named = (id: string) => `${base}${model}:${id}`;
  /** Where the record is now: its grant's slot, or under its own name. */
  const locate = async (id: string): Promise<string | null> => {
    const at = await redis.hgetall(named(id));
    if (typeof at.grant === "string") return `${grantPrefix(base, at.grant)}${model}:${id}`;
    return at.payload === undefined ? null : named(id);
  };
  const read = async (key: string | null): Promise<OidcPayload | undefined> => {
    if (key === null) return undefined;
    const stored = await redis.hgetall(key);
    if (stored.payload === undefined) return undefined;
    const payload = JSON.parse(stored.payload) as OidcPayload;
    return stored.consumed === undefined ? payload : { ...payload, consumed: Number(stored.consumed) };
  };
  const byIndex = async (index: string) => {
    const id = await redis.get(index);
    return id === null ? undefined : read(await locate(id));
  };
  return {
    async upsert(id, payload, expiresInSeconds) {
      const ttlMs = ttlOf(expiresInSeconds);
      const text = JSON.stringify(payload);
      if (GRANT_BOUND_MODELS.has(model) && typeof payload.grantId === "string") {
        const prefix = grantPrefix(base, payload.grantId);
        await redis.glsOidcWriteInGrant(`${prefix}${model}:${id}`, `${prefix}grant`, text, ttlMs, `${model}:${id}`);
        await redis.glsOidcWriteHash(named(id), "grant", payload.grantId, ttlMs);
      } else {
        await redis.glsOidcWriteHash(named(id), "payload", text, ttlMs);
      }
      if (typeof payload.userCode === "string") await setIndex(redis, `${base}userCode:${payload.userCode}`, id, ttlMs);
      if (model === "Session" && typeof payload.uid === "string") await setIndex(redis, `${base}sessionUid:${payload.uid}`, id, ttlMs);
    },
    find: async (id) => read(await locate(id)),
    findByUid: (uid) => byIndex(`${base}sessionUid:${uid}`),
    findByUserCode: (userCode) => byIndex(`${base}userCode:${userCode}`),
    async consume(id) {
      const key = await locate(id);
      if (key === null) return null;
      const before = await redis.glsOidcConsume(key, epochSeconds(clock));
      return before === -1 ? null : before;
    },
    async destroy(id) {
      const at = await redis.hgetall(named(id));
      if (typeof at.grant === "string") {
        await redis.del(`${grantPrefix(base, at.grant)}${model}:${id}`);
        await redis.srem(`${grantPrefix(base, at.grant)}grant`, `${model}:${id}`);
      }
      await redis.del(named(id));
    },
    async revokeByGrantId(grantId) {
      await redis.glsOidcRevokeGrant(`${grantPrefix(base, grantId)}grant`, grantPrefix(base, grantId));
    },
  };
}

async function setIndex(redis: RedisConnection, key: string, id: string, ttlMs: number): Promise<void> {
  if (ttlMs > 0) await redis.set(key, id, "PX", ttlMs);
  else await redis.set(key, id);
}
