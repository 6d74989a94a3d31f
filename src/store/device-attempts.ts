// Device sign-ins in progress (auth/device-sign-in.ts), one small entry each, living as long as
// GitHub's device code (and a little longer, so a late poll hears "expired", not "unknown"). The
// entry is named by a hash of the program's handle and holds GitHub's device code only sealed:
// neither a Redis dump nor a key listing gives anyone a code to poll GitHub with.
import type { Cluster, Redis } from "ioredis";
import type { Clock } from "../clock.js";

export interface DeviceAttempts {
  create(id: string, value: string, ttlMs: number): Promise<void>;
  read(id: string): Promise<string | null>;
  /** Replaces the value and keeps the expiry; a deleted entry stays deleted. */
  update(id: string, value: string): Promise<void>;
  delete(id: string): Promise<void>;
}

export class RedisDeviceAttempts implements DeviceAttempts {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
  ) {}

  async create(id: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(id), value, "PX", Math.max(1, Math.ceil(ttlMs)));
  }

  read(id: string): Promise<string | null> {
    return this.redis.get(this.key(id));
  }

  async update(id: string, value: string): Promise<void> {
    await this.redis.set(this.key(id), value, "KEEPTTL", "XX");
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  private key(id: string): string {
    return `${this.keyPrefix}device:${id}`;
  }
}

export class MemoryDeviceAttempts implements DeviceAttempts {
  private readonly entries = new Map<string, { value: string; until: number }>();

  constructor(private readonly clock: Clock) {}

  async create(id: string, value: string, ttlMs: number): Promise<void> {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
    this.entries.set(id, { value, until: now + ttlMs });
  }

  async read(id: string): Promise<string | null> {
    const entry = this.entries.get(id);
    return entry && entry.until > this.clock.now() ? entry.value : null;
  }

  async update(id: string, value: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry && entry.until > this.clock.now()) entry.value = value;
  }

  async delete(id: string): Promise<void> {
    this.entries.delete(id);
  }
}
