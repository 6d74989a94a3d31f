// No request makes more than MAX_GITHUB_CALLS_PER_REQUEST calls to GitHub (SPEC §7), whatever rule a
// proxy (or a client writing its own query) sends: the calls a revalidation and the learning of a
// per-route rule make for one request, or for one background revalidation, draw on one budget. A
// token refresh on the way is a call to GitHub too and is counted.
import type { SignedInRecord } from "./session-record.js";
import type { TokenRefresher } from "./token-refresh.js";

export const MAX_GITHUB_CALLS_PER_REQUEST = 16;

export interface CallBudget {
  /** Takes one call; false (and nothing taken) when none is left: that call is not made. */
  take(): boolean;
  /** Counts calls that are made whatever is left (the server's own lists, which the operator chose). */
  spend(calls?: number): void;
  readonly remaining: number;
}

/** A class, not a closure: one is made for every request the gate admits, most of which never call GitHub. */
class Budget implements CallBudget {
  constructor(private left: number) {}
  take(): boolean {
    if (this.left <= 0) return false;
    this.left -= 1;
    return true;
  }
  spend(count = 1): void {
    this.left -= count;
  }
  get remaining(): number {
    return Math.max(0, this.left);
  }
}

export function callBudget(calls = MAX_GITHUB_CALLS_PER_REQUEST): CallBudget {
  return new Budget(calls);
}

/** The refresher's withUserToken, counting the refreshes it makes on the way (before, and after a 401). */
export function withCountedToken<T>(
  refresher: TokenRefresher,
  budget: CallBudget,
  sessionId: string,
  record: SignedInRecord,
  call: (accessToken: string) => Promise<T>,
): Promise<{ record: SignedInRecord; result: T }> {
  if (refresher.isExpiring(record)) budget.spend();
  let attempts = 0;
  return refresher.withUserToken(sessionId, record, (accessToken) => {
    attempts += 1;
    if (attempts > 1) budget.spend(); // the refresh after GitHub refused the token (401)
    return call(accessToken);
  });
}
