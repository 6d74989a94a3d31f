// Demo mode without Redis: the same contract as RedisSessionStore (create-only entries,
// compare-and-set changes, sliding expiry) in this process's memory. Like connect-redis there, it
// loads and deletes entries for express-session, through ExpressSessionStore only.
import { Store, type SessionData } from "express-session";
import type { Clock } from "../clock.js";
import { encodeEntry, parseEntry, type SessionEntries, type SessionEntry, type StoredSession } from "./session-entries.js";

type Callback = (error?: unknown, session?: SessionData | null) => void;

export class MemorySessionStore extends Store implements SessionEntries {
  private readonly entries = new Map<string, { raw: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {
    super();
  }

  override get(sessionId: string, callback: Callback): void {
    callback(undefined, (this.live(sessionId)?.data ?? null) as SessionData | null);
  }

  /** Creation only, as everywhere: an existing entry is never overwritten from express-session. */
  override set(sessionId: string, { cookie, ...data }: SessionData, callback?: (error?: unknown) => void): void {
    const expires = cookie?.expires ? new Date(cookie.expires).getTime() - Date.now() : 86_400_000;
    void this.create(sessionId, data, expires).then(() => callback?.());
  }

  override destroy(sessionId: string, callback?: (error?: unknown) => void): void {
    this.entries.delete(sessionId);
    callback?.();
  }

  async create(sessionId: string, data: StoredSession, ttlMs: number): Promise<boolean> {
    if (this.live(sessionId)) return false;
    this.entries.set(sessionId, { raw: encodeEntry(data), expiresAt: this.clock.now() + ttlMs });
    return true;
  }

  async read(sessionId: string): Promise<SessionEntry | null> {
    return this.live(sessionId);
  }

  async readWithExpiry(sessionId: string): Promise<{ entry: SessionEntry; expiresInMs: number } | null> {
    const entry = this.live(sessionId);
    const stored = this.entries.get(sessionId);
    return entry && stored ? { entry, expiresInMs: stored.expiresAt - this.clock.now() } : null;
  }

  async extend(sessionId: string, ttlMs: number): Promise<void> {
    const stored = this.entries.get(sessionId);
    if (stored && this.live(sessionId)) stored.expiresAt = this.clock.now() + ttlMs;
  }

  async replace(sessionId: string, expected: SessionEntry, data: StoredSession): Promise<boolean> {
    const entry = this.entries.get(sessionId);
    if (!entry || entry.raw !== expected.raw || !this.live(sessionId)) return false;
    entry.raw = encodeEntry(data);
    return true;
  }

  async delete(sessionIds: string[]): Promise<void> {
    for (const sessionId of sessionIds) this.entries.delete(sessionId);
  }

  private live(sessionId: string): SessionEntry | null {
    const entry = this.entries.get(sessionId);
    if (!entry) return null;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(sessionId);
      return null;
    }
    return parseEntry(entry.raw);
  }
}
