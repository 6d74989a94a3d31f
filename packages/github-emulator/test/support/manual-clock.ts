// A clock for the emulator's tests that only moves when told to, so expiry is tested by moving time
// instead of sleeping. The emulator asks its clock for now() only.
import type { Clock } from "../../src/index.js";

export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}
