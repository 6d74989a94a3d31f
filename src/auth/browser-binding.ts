// The browser binding: a random secret a browser keeps in one small HttpOnly cookie per host
// (http/cookies.ts), that every sign-in attempt and every handoff started there is tied to. What
// is sent anywhere (a state, a handoff) holds only a tag derived from it and the attempt's nonce,
// so neither reveals the binding, and a state or ticket made for one browser is refused in another.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function isBinding(value: string | undefined): value is string {
  return typeof value === "string" && BINDING_PATTERN.test(value);
}

/** The browser's binding when it has a well-formed one, else a new one. */
export function bindingOrNew(current: string | undefined): string {
  return isBinding(current) ? current : randomBytes(32).toString("base64url");
}

export function newNonce(): string {
  return randomBytes(16).toString("base64url");
}

/** What an attempt named `nonce` carries to prove which browser started it. */
export function bindingTag(binding: string, nonce: string): string {
  return deriveFromBinding(binding, `bind\0${nonce}`).slice(0, 22);
}

/** True when `tag` was made from this browser's binding for `nonce`. */
export function tagMatches(tag: string, binding: string | undefined, nonce: string): boolean {
  return isBinding(binding) && sameText(tag, bindingTag(binding, nonce));
}

export function deriveFromBinding(binding: string, label: string): string {
  return createHmac("sha256", binding).update(label).digest("base64url");
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
