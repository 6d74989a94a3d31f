// Direct access to stored session entries, for every change made after sign-in. express-session
// saves the whole object a request loaded, so a slow request would write back old tokens or bring a
// signed-out session back to life. Here every change is a compare-and-set against the exact value
// that was read: a change made meanwhile makes the write fail (the caller re-reads and re-applies),
// and a deleted entry stays deleted, because a missing value never matches.
import type { SessionData } from "express-session";

export interface SessionEntry {
  /** The stored text, exactly as read: the compare half of compare-and-set. */
  raw: string;
  data: SessionData;
}

export interface SessionEntries {
  read(sessionId: string): Promise<SessionEntry | null>;
  /** Writes `data` only if the entry still holds `expected.raw`; keeps the entry's expiry. */
  replace(sessionId: string, expected: SessionEntry, data: SessionData): Promise<boolean>;
  delete(sessionIds: string[]): Promise<void>;
}

export function parseEntry(raw: string | null | undefined): SessionEntry | null {
  if (!raw) return null;
  try {
    const data = JSON.parse(raw) as SessionData;
    return typeof data === "object" && data !== null ? { raw, data } : null;
  } catch {
    return null;
  }
}
