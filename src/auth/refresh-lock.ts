// One refresh per session at a time, across every instance: a Redis lease on the session's name.
// The lease outlives GITHUB_TIMEOUT, so it cannot lapse while GitHub is still answering the holder;
// it is released in `finally`, so a failed refresh never blocks the next one. A request that finds
// the lease taken waits in one loop, on the injected clock, and takes the holder's result as soon
// as the store shows it, instead of spending the single-use refresh token a second time.
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { Locks } from "../store/locks.js";

/** How long the lease outlives the longest call to GitHub it covers. */
export const REFRESH_LEASE_MARGIN_MS = 5_000;
/** A waiter gives up this long after the lease it waits on must have lapsed. */
export const REFRESH_WAIT_MARGIN_MS = 1_000;
/** How often a waiter looks at the store (and tries the lease) again. */
export const REFRESH_WAIT_POLL_MS = 50;

export interface RefreshLock {
  clock: Clock;
  locks: Locks;
  /** Upper bound on one call to GitHub (GITHUB_TIMEOUT). */
  githubTimeoutMs: number;
}

/** The lease a refresher holds, as far as it can tell while it works. */
export interface HeldLease {
  /** False once the lease lapsed (a holder slower than the lease): someone else may be refreshing too. */
  stillHeld(): Promise<boolean>;
}

export interface RefreshTurn<T> {
  /** Runs holding the lease: re-read, then refresh if still needed. */
  holding(lease: HeldLease): Promise<T>;
  /** Runs after each wait: the holder's result once it is there, null to keep waiting. */
  afterWaiting(): Promise<T | null>;
}

export const refreshLeaseMs = (githubTimeoutMs: number) => githubTimeoutMs + REFRESH_LEASE_MARGIN_MS;

export const refreshInProgress = () =>
  new AppError("refresh_in_progress", "Your GitHub sign-in is being renewed. Please try again in a moment.", {
    retryAfterSeconds: 1,
  });

/** Runs `turn.holding` under the session's refresh lease, or waits for whoever holds it. */
export async function withRefreshLock<T>(lock: RefreshLock, sessionId: string, turn: RefreshTurn<T>): Promise<T> {
  const { clock, locks } = lock;
  const name = `refresh:${sessionId}`;
  const leaseMs = refreshLeaseMs(lock.githubTimeoutMs);
  const giveUpAt = clock.now() + leaseMs + REFRESH_WAIT_MARGIN_MS;
  while (clock.now() < giveUpAt) {
    const owner = await locks.tryAcquire(name, leaseMs);
    if (owner) {
      // A store that cannot say counts as lost: the holder then looks for another refresher's tokens.
      const lease: HeldLease = { stillHeld: () => locks.holds(name, owner).catch(() => false) };
      try {
        return await turn.holding(lease);
      } finally {
        await locks.release(name, owner).catch(() => undefined);
      }
    }
    await clock.sleep(REFRESH_WAIT_POLL_MS);
    const holdersResult = await turn.afterWaiting();
    if (holdersResult !== null) return holdersResult;
  }
  throw refreshInProgress();
}
