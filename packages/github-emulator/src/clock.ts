// The emulator's own notion of time, so it imports nothing of the product it stands in for. Any
// object with now() fits (the product's ManualClock does), so tests move time for both at once.
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
