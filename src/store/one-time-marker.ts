// Remembers that something happened once (a sign-in state was used), so a replayed callback URL is
// refused even if the browser still holds the attempt cookie. Redis makes this hold across instances;
// the in-memory version serves demo mode.
import type { Redis, Cluster } from "ioredis";
import type { Clock } from "../clock.js";

export interface OneTimeMarker {
  /** True the first time a key is claimed within ttlMs; false on every later claim. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

export class RedisOneTimeMarker implements OneTimeMarker {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
  ) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const answer = await this.redis.set(`${this.keyPrefix}once:${key}`, "1", "PX", Math.max(1, Math.ceil(ttlMs)), "NX");
    return answer === "OK";
  }
}

export class MemoryOneTimeMarker implements OneTimeMarker {
  private readonly claimedUntil = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    for (const [claimedKey, until] of this.claimedUntil) if (until <= now) this.claimedUntil.delete(claimedKey);
    if (this.claimedUntil.has(key)) return false;
    this.claimedUntil.set(key, now + ttlMs);
    return true;
  }
}
