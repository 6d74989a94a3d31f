// One sign-in attempt = one short-lived cookie, sealed with TOKEN_ENCRYPTION_KEY, holding the
// state, the PKCE verifier and returnTo. Binding state to a cookie only this browser holds stops
// login CSRF (an attacker cannot make a victim finish the attacker's sign-in); one cookie per
// attempt, named after its state, lets two tabs sign in at once without overwriting each other;
// and nothing is written to Redis before a user has actually signed in.
import { createHash, randomBytes } from "node:crypto";
import type { Sealer } from "../sealer.js";

export const ATTEMPT_LIFETIME_MS = 10 * 60 * 1000;
/** Old attempts beyond this many are dropped so abandoned tabs cannot grow the Cookie header. */
export const MAX_PENDING_ATTEMPTS = 5;
const NAME_PATTERN = /^(?:__Host-)?gls-signin-[A-Za-z0-9_-]{16}$/;
const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SignInAttempt {
  state: string;
  codeVerifier: string;
  returnTo: string;
  createdAt: number;
}

export class SignInAttemptCookies {
  constructor(
    private readonly sealer: Sealer,
    private readonly secure: boolean,
  ) {}

  newState(): string {
    return randomBytes(32).toString("base64url");
  }

  isWellFormedState(state: unknown): state is string {
    return typeof state === "string" && STATE_PATTERN.test(state);
  }

  cookieNameFor(state: string): string {
    const id = createHash("sha256").update(state).digest("base64url").slice(0, 16);
    return `${this.secure ? "__Host-" : ""}gls-signin-${id}`;
  }

  isAttemptCookieName(name: string): boolean {
    return NAME_PATTERN.test(name) && name.startsWith("__Host-") === this.secure;
  }

  seal(attempt: SignInAttempt): string {
    const compact = [attempt.state, attempt.codeVerifier, String(attempt.createdAt), attempt.returnTo];
    return this.sealer.seal(JSON.stringify(compact), this.cookieNameFor(attempt.state));
  }

  /** The attempt sealed in the cookie, or null when it is missing, forged or for another state. */
  open(state: string, cookieValue: string | undefined): SignInAttempt | null {
    if (!cookieValue) return null;
    const attempt = this.read(this.cookieNameFor(state), cookieValue);
    return attempt?.state === state ? attempt : null;
  }

  /** Any attempt cookie's content (its name is the sealing context), or null if it does not open. */
  read(cookieName: string, cookieValue: string): SignInAttempt | null {
    const fields = this.sealer.openJson(cookieValue, cookieName);
    if (!Array.isArray(fields) || fields.length !== 4 || !fields.every((field) => typeof field === "string")) return null;
    const [state, codeVerifier, createdAt, returnTo] = fields as [string, string, string, string];
    return { state, codeVerifier, createdAt: Number(createdAt), returnTo };
  }
}
