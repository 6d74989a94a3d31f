// Every expiry decision and every wait asks a Clock, so tests can move time instead of sleeping or
// patching Date, and a wait that is bounded by a deadline ends when the test says the deadline passed.
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `milliseconds`, measured by this clock. */
  sleep(milliseconds: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/**
 * A clock that only moves when told to: for tests of expiry. A sleeper wakes when the clock is
 * advanced past its wake-up time, or after the same time really passed, so code that polls keeps
 * polling in tests that never move the clock, while a deadline passes only when the test says so.
 */
export class ManualClock implements Clock {
  private sleepers: { wakeAt: number; wake: () => void }[] = [];
  private sleepStarted: (() => void)[] = [];

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
    for (const sleeper of this.sleepers.filter(({ wakeAt }) => wakeAt <= this.current)) sleeper.wake();
  }

  sleep(milliseconds: number): Promise<void> {
    for (const started of this.sleepStarted.splice(0)) started();
    return new Promise((resolve) => {
      const sleeper = { wakeAt: this.current + milliseconds, wake: () => finish() };
      const timer = setTimeout(() => finish(), milliseconds);
      const finish = () => {
        clearTimeout(timer);
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        resolve();
      };
      this.sleepers.push(sleeper);
    });
  }

  /** Resolves when something next starts to sleep on this clock: it is waiting, and the test may move time. */
  nextSleep(): Promise<void> {
    return new Promise((resolve) => this.sleepStarted.push(resolve));
  }
}
