// Demo mode without Redis: the same contract as RedisSessionStore (create-only saves,
// compare-and-set changes, sliding expiry) in this process's memory.
import { Store, type SessionData } from "express-session";
import type { Clock } from "../clock.js";
import { parseEntry, type SessionEntries, type SessionEntry } from "./session-entries.js";

type Callback = (error?: unknown, session?: SessionData | null) => void;

export class MemorySessionStore extends Store implements SessionEntries {
  private readonly entries = new Map<string, { raw: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {
    super();
  }

  override get(sessionId: string, callback: Callback): void {
    callback(undefined, this.live(sessionId)?.data ?? null);
  }

  override set(sessionId: string, session: SessionData, callback?: (error?: unknown) => void): void {
    if (!this.entries.has(sessionId) || !this.live(sessionId)) {
      this.entries.set(sessionId, { raw: JSON.stringify(session), expiresAt: this.expiryOf(session) });
    }
    callback?.();
  }

  override touch(sessionId: string, session: SessionData, callback?: () => void): void {
    const entry = this.entries.get(sessionId);
    if (entry && this.live(sessionId)) entry.expiresAt = this.expiryOf(session);
    callback?.();
  }

  override destroy(sessionId: string, callback?: (error?: unknown) => void): void {
    this.entries.delete(sessionId);
    callback?.();
  }

  async read(sessionId: string): Promise<SessionEntry | null> {
    return this.live(sessionId);
  }

  async replace(sessionId: string, expected: SessionEntry, data: SessionData): Promise<boolean> {
    const entry = this.entries.get(sessionId);
    if (!entry || entry.raw !== expected.raw || !this.live(sessionId)) return false;
    entry.raw = JSON.stringify(data);
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

  private expiryOf(session: SessionData): number {
    const expires = session.cookie?.expires ? new Date(session.cookie.expires).getTime() : Number.NaN;
    return Number.isFinite(expires) ? expires : this.clock.now() + 86_400_000;
  }
}
