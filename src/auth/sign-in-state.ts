// The state check of the sign-in callback (SPEC §3), run before any call to GitHub: the state opens
// (sealed here, not forged or tampered with), belongs to the browser that presents it (login CSRF:
// an attacker's callback URL signs nobody else in), is at most 10 minutes old, and is used once
// (a replayed or copied callback URL, or the same one sent twice at once, completes at most once).
import type { Clock } from "../clock.js";
import type { OneTimeMarker } from "../store/one-time-marker.js";
import { ATTEMPT_LIFETIME_MS, type SignInAttempt, type SignInAttempts } from "./sign-in-attempt.js";
import { invalidState } from "./sign-in-errors.js";

/** Tolerated clock difference between instances when checking an attempt's age. */
const CLOCK_SKEW_MS = 60_000;

export interface StateCheckDependencies {
  clock: Clock;
  attempts: SignInAttempts;
  oneTimeMarker: OneTimeMarker;
}

/** `binding`: the browser binding cookie the callback request carried. */
export async function checkState(state: unknown, binding: string | undefined, deps: StateCheckDependencies): Promise<SignInAttempt> {
  const { clock, attempts, oneTimeMarker } = deps;
  if (!attempts.isWellFormedState(state)) throw invalidState("missing or malformed");
  const attempt = attempts.open(state, binding);
  if (!attempt) throw invalidState("not sealed here, or started in another browser");
  const age = clock.now() - attempt.createdAt;
  if (!(age <= ATTEMPT_LIFETIME_MS && age >= -CLOCK_SKEW_MS)) throw invalidState("expired");
  // Claimed last: a state that another browser presents is refused unclaimed, so it cannot burn the attempt of the browser it belongs to.
  const firstUse = await oneTimeMarker.claim(`signin:${attempt.nonce}`, ATTEMPT_LIFETIME_MS + CLOCK_SKEW_MS);
  if (!firstUse) throw invalidState("already used");
  return attempt;
}
