// A sign-in attempt travels in the `state` parameter, sealed with TOKEN_ENCRYPTION_KEY, and is
// bound to the browser by one small cookie, the browser binding: a random secret the browser keeps
// (HttpOnly) across attempts. This module owns the binding's value; its cookie (name, attributes,
// lifetime) is http/cookies.ts.
//
// - Login CSRF: an attacker's state is bound to the attacker's binding; a victim's browser holds
//   another one, so the attacker's callback URL signs nobody in (checked before any call to GitHub).
// - PKCE: the verifier is derived from the binding secret and the attempt's nonce, so it never
//   travels: a stolen callback URL (code and state) is useless without the victim's cookie.
// - Cookie bombing: whatever returnTo holds and however many sign-ins a page starts (in parallel
//   too), this server sets exactly one attempt-related cookie of fixed size per host, so requests
//   to the host never grow past header limits. Every attempt shares it, so any number of tabs
//   can sign in at once.
// - Nothing is written to Redis before a user has actually signed in.
import type { Sealer } from "../sealer.js";
import { bindingOrNew, bindingTag, deriveFromBinding, isBinding, newNonce, tagMatches } from "./browser-binding.js";

export const ATTEMPT_LIFETIME_MS = 10 * 60 * 1000;
/** Upper bound on a sealed state: a returnTo of at most 2 KB, sealed and base64url-encoded, fits. */
const MAX_STATE_LENGTH = 4096;
const SEALED_PATTERN = /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/;
const STATE_CONTEXT = "signin-state";

export interface SignInAttempt {
  /** Names this attempt: what its single use is recorded under. */
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  createdAt: number;
  /** The protected host this sign-in is for (SPEC §6), canonical; null for the login host itself. */
  forHost: string | null;
}

export interface StartedAttempt {
  state: string;
  codeVerifier: string;
  /** The browser binding to (re)set: the one the browser has, or a new one. */
  binding: string;
}

export class SignInAttempts {
  constructor(private readonly sealer: Sealer) {}

  /**
   * Seals a new attempt into a state, bound to the browser's binding (a new one when it has none).
   * `forHost`: the protected host the sign-in is for, null for the login host.
   */
  start(returnTo: string, createdAt: number, currentBinding: string | undefined, forHost: string | null): StartedAttempt {
    const binding = bindingOrNew(currentBinding);
    const nonce = newNonce();
    // The login host is the empty string: most sign-ins are its own, and the state stays short.
    const compact = [nonce, String(createdAt), returnTo, bindingTag(binding, nonce), forHost ?? ""];
    return { state: this.sealer.seal(JSON.stringify(compact), STATE_CONTEXT), codeVerifier: codeVerifierFor(binding, nonce), binding };
  }

  isWellFormedState(state: unknown): state is string {
    return typeof state === "string" && state.length <= MAX_STATE_LENGTH && SEALED_PATTERN.test(state);
  }

  /**
   * The attempt in `state`, when it opens and was started in the browser holding `binding`;
   * null when it is forged, tampered with, or bound to another browser.
   */
  open(state: string, binding: string | undefined): SignInAttempt | null {
    if (!isBinding(binding)) return null;
    const fields = this.sealer.openJson(state, STATE_CONTEXT);
    if (!Array.isArray(fields) || fields.length !== 5 || !fields.every((field) => typeof field === "string")) return null;
    const [nonce, createdAt, returnTo, tag, forHost] = fields as [string, string, string, string, string];
    if (!tagMatches(tag, binding, nonce)) return null;
    return {
      nonce,
      createdAt: Number(createdAt),
      returnTo,
      forHost: forHost === "" ? null : forHost,
      codeVerifier: codeVerifierFor(binding, nonce),
    };
  }
}

/** 32 bytes → 43 base64url characters, the shortest verifier RFC 7636 allows. */
function codeVerifierFor(binding: string, nonce: string): string {
  return deriveFromBinding(binding, `pkce\0${nonce}`);
}
