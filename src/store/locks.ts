// Short leases on a name, shared by every instance through Redis: how one refresh per token is
// guaranteed. A lease expires by itself, so a crashed holder cannot block others for longer than
// the lease; only the holder (proven by its random owner value) may release it early.
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.js";
import type { RedisConnection } from "./redis-client.js";

export interface Locks {
  /** An owner token when the lease was granted, null when someone else holds it. */
  tryAcquire(name: string, leaseMs: number): Promise<string | null>;
  release(name: string, owner: string): Promise<void>;
  /** Whether `owner` still holds the lease: false once it lapsed (and perhaps went to someone else). */
  holds(name: string, owner: string): Promise<boolean>;
}

const RELEASE_IF_OWNER = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

export class RedisLocks implements Locks {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
  ) {}

  async tryAcquire(name: string, leaseMs: number): Promise<string | null> {
    const owner = randomBytes(16).toString("base64url");
    const granted = await this.connection.set(this.key(name), owner, "PX", leaseMs, "NX");
    return granted === "OK" ? owner : null;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.connection.eval(RELEASE_IF_OWNER, 1, this.key(name), owner);
  }

  async holds(name: string, owner: string): Promise<boolean> {
    return (await this.connection.get(this.key(name))) === owner;
  }

  private key(name: string): string {
    return `${this.keyPrefix}lock:${name}`;
  }
}

export class MemoryLocks implements Locks {
  private readonly held = new Map<string, { owner: string; until: number }>();

  constructor(private readonly clock: Clock) {}

  async tryAcquire(name: string, leaseMs: number): Promise<string | null> {
    const current = this.held.get(name);
    if (current && current.until > this.clock.now()) return null;
    const owner = randomBytes(16).toString("base64url");
    this.held.set(name, { owner, until: this.clock.now() + leaseMs });
    return owner;
  }

  async release(name: string, owner: string): Promise<void> {
    if (this.held.get(name)?.owner === owner) this.held.delete(name);
  }

  async holds(name: string, owner: string): Promise<boolean> {
    const current = this.held.get(name);
    return current?.owner === owner && current.until > this.clock.now();
  }
}
