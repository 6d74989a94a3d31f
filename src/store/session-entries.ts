// Direct access to stored session entries, for every read and every change made after sign-in.
// express-session saves the whole object a request loaded, so a slow request would write back old
// tokens or bring a signed-out session back to life. Here every change is a compare-and-set against
// the exact value that was read: a change made meanwhile makes the write fail (the caller re-reads
// and re-applies), and a deleted entry stays deleted, because a missing value never matches.
// Entries are only ever created under a fresh id (express-session-store.ts: the sign-in).
import type { SessionData } from "express-session";
import { decodeCompact, encodeCompact } from "./entry-codec.js";

/** What an entry holds: the session without express-session's cookie (express-session-store.ts). */
export type StoredSession = Partial<Omit<SessionData, "cookie">>;

export interface SessionEntry {
  /** The stored text, exactly as read: the compare half of compare-and-set. */
  raw: string;
  data: StoredSession;
}

export interface SessionEntries {
  /** Writes a new entry living `ttlMs`, unless one exists under that id; false when one did. */
  create(sessionId: string, data: StoredSession, ttlMs: number): Promise<boolean>;
  read(sessionId: string): Promise<SessionEntry | null>;
  /** The entry and how many milliseconds it has left, in one round trip to the store. */
  readWithExpiry(sessionId: string): Promise<{ entry: SessionEntry; expiresInMs: number } | null>;
  /** Moves the entry's expiry to `ttlMs` from now (sliding idle expiry); a missing entry stays missing. */
  extend(sessionId: string, ttlMs: number): Promise<void>;
  /** Writes `data` only if the entry still holds `expected.raw`; keeps the entry's expiry. */
  replace(sessionId: string, expected: SessionEntry, data: StoredSession): Promise<boolean>;
  delete(sessionIds: string[]): Promise<void>;
}

/** The entry's text, in the compact form (entry-codec.ts: short field names). */
export function encodeEntry(data: StoredSession): string {
  return encodeCompact(data);
}

/** The entry, or null when there is none or it is damaged (which reads as "no session", not as a failure). */
export function parseEntry(raw: string | null | undefined): SessionEntry | null {
  if (!raw) return null;
  try {
    const data = decodeCompact(JSON.parse(raw)) as StoredSession;
    return typeof data === "object" && data !== null && !Array.isArray(data) ? { raw, data } : null;
  } catch {
    return null;
  }
}
