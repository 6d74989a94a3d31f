// The OpenID Connect provider's state in this process's memory (demo mode without Redis, tests):
// the contract of oidc-records.ts, with expiry by the injected clock. One store for every model,
// so a grant's records of every kind are found and revoked together.
import type { Clock } from "../clock.js";
import { epochSeconds, GRANT_BOUND_MODELS, type OidcModelRecords, type OidcPayload, type OidcRecordsFactory } from "./oidc-records.js";

interface Lasting<T> {
  value: T;
  /** Epoch milliseconds; Infinity without an expiry. */
  until: number;
}

interface StoredRecord {
  payload: OidcPayload;
  consumed?: number;
}

export function memoryOidcRecords(clock: Clock): OidcRecordsFactory {
  const held: Held = { records: new Map(), indexes: new Map(), grants: new Map(), clock };
  return (model) => memoryModelRecords(held, model);
}

/** Everything every model's store shares. */
interface Held {
  records: Map<string, Lasting<StoredRecord>>;
  indexes: Map<string, Lasting<string>>;
  /** grantId → the keys of its records. */
  grants: Map<string, Set<string>>;
  clock: Clock;
}

function live<T>(held: Held, map: Map<string, Lasting<T>>, key: string): T | undefined {
  const entry = map.get(key);
  if (entry && entry.until > held.clock.now()) return entry.value;
  map.delete(key);
  return undefined;
}

/** Drops what has expired (on every write, so memory stays bounded by what lives). */
function forget({ records, indexes, grants, clock }: Held): void {
  const now = clock.now();
  for (const [key, entry] of records) if (entry.until <= now) records.delete(key);
  for (const [key, entry] of indexes) if (entry.until <= now) indexes.delete(key);
  for (const [grantId, members] of grants) {
    for (const member of members) if (!records.has(member)) members.delete(member);
    if (members.size === 0) grants.delete(grantId);
  }
}

function memoryModelRecords(held: Held, model: string): OidcModelRecords {
  const { records, indexes, grants, clock } = held;
  const named = (id: string) => `${model}:${id}`;
  const read = (key: string): OidcPayload | undefined => {
    const stored = live(held, records, key);
    if (!stored) return undefined;
    return stored.consumed === undefined
      ? structuredClone(stored.payload)
      : { ...structuredClone(stored.payload), consumed: stored.consumed };
  };
  const byIndex = async (index: string) => {
    const id = live(held, indexes, index);
    return id === undefined ? undefined : read(named(id));
  };
  return {
    async upsert(id, payload, expiresInSeconds) {
      forget(held);
      const until = typeof expiresInSeconds === "number" && expiresInSeconds > 0 ? clock.now() + expiresInSeconds * 1000 : Infinity;
      records.set(named(id), { value: { payload: structuredClone(payload) }, until });
      if (GRANT_BOUND_MODELS.has(model) && typeof payload.grantId === "string") {
        const members = grants.get(payload.grantId) ?? new Set<string>();
        members.add(named(id));
        grants.set(payload.grantId, members);
      }
      if (typeof payload.userCode === "string") indexes.set(`userCode:${payload.userCode}`, { value: id, until });
      if (model === "Session" && typeof payload.uid === "string") indexes.set(`sessionUid:${payload.uid}`, { value: id, until });
    },
    find: async (id) => read(named(id)),
    findByUid: (uid) => byIndex(`sessionUid:${uid}`),
    findByUserCode: (userCode) => byIndex(`userCode:${userCode}`),
    async consume(id) {
      const stored = live(held, records, named(id));
      if (!stored) return null;
      if (stored.consumed !== undefined) return stored.consumed;
      stored.consumed = epochSeconds(clock);
      return null;
    },
    async destroy(id) {
      records.delete(named(id));
    },
    async revokeByGrantId(grantId) {
      for (const member of grants.get(grantId) ?? []) records.delete(member);
      grants.delete(grantId);
    },
  };
}
