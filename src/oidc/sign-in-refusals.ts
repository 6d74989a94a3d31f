// A first sign-in the server's lists refuse on its way to an authorization (SPEC §9 "Signing in"):
// the browser was signed out, so /oidc/auth sent it through the ordinary sign-in with returnTo its
// interaction, and the callback refuses it there. The refusal page says why (§7), as for any
// sign-in, and leads back to the application through that interaction, which ends the
// authorization with access_denied and the reason: the client hears the refusal instead of waiting.
//
// The way back carries a note sealed here (TOKEN_ENCRYPTION_KEY) with the refusal as the server
// decided it: its reason is never read from anything a third party could write into a link. The
// note is sealed for that one interaction (its uid is the sealing context), is tied to the browser
// whose sign-in was refused (a tag of its browser binding, as a sign-in's state is), and lives as
// long as a sign-in attempt; the interaction itself answers only the browser holding
// oidc-provider's cookie for it. A note that fails any of these ends nothing.
import type { Request } from "express";
import type { Clock } from "../clock.js";
import { AppError, type PageAction } from "../errors.js";
import type { Sealer } from "../sealer.js";
import { bindingTag, isBinding, newNonce, tagMatches } from "../auth/browser-binding.js";
import { ATTEMPT_LIFETIME_MS } from "../auth/sign-in-attempt.js";
import type { RefusedSignIn } from "../auth/sign-in-flow.js";
import { interactionPath } from "./provider-configuration.js";

/** What the interaction finishes with: the refusal the sign-in met, and whose. */
export interface NotedRefusal {
  code: string;
  reason: string;
  user: { id: number; login: string };
}

const CONTEXT = "oidc-sign-in-refusal";
/** A returnTo the interaction made (interaction.ts): its path, and perhaps its own query. */
const INTERACTION_RETURN = /^\/oidc\/interaction\/([A-Za-z0-9_-]{1,64})(?:\?|$)/;
const MAX_NOTE_LENGTH = 2048;
export const REFUSAL_PARAMETER = "refused";

/** `bindingOf`: the browser binding cookie a request carries (http/cookies.ts names it). */
export function signInRefusals(sealer: Sealer, clock: Clock, bindingOf: (request: Request) => string | undefined) {
  return {
    /** The refusal page of a sign-in: for one on its way to an interaction, with the way back to the application. */
    answer({ refusal, returnTo, user, binding }: RefusedSignIn): AppError {
      const uid = INTERACTION_RETURN.exec(returnTo)?.[1];
      if (!uid || !isBinding(binding)) return refusal;
      const nonce = newNonce();
      const reason = refusal.details.reason ?? refusal.publicMessage;
      const fields = [nonce, String(clock.now()), bindingTag(binding, nonce), refusal.code, reason, String(user.id), user.login];
      const note = sealer.seal(JSON.stringify(fields), `${CONTEXT}:${uid}`);
      const back: PageAction = { href: `${interactionPath(uid)}?${REFUSAL_PARAMETER}=${note}`, label: "Back to the application" };
      // The lists refuse with one of two codes (sign-in-flow.ts), named here so the catalogue knows them.
      return new AppError(refusal.code === "sso_required" ? "sso_required" : "not_allowed", refusal.publicMessage, {
        heading: refusal.heading ?? undefined,
        cause: refusal.cause,
        details: refusal.details,
        next: back,
        ...(refusal.next ? { also: towardInteraction(refusal.next, uid) } : {}),
      });
    },
    /** The refusal noted for interaction `uid` and this browser, while fresh; null for anything else. */
    open(uid: string, request: Request): NotedRefusal | null {
      const note = request.query[REFUSAL_PARAMETER];
      if (typeof note !== "string" || note.length > MAX_NOTE_LENGTH) return null;
      const fields = sealer.openJson(note, `${CONTEXT}:${uid}`);
      if (!Array.isArray(fields) || fields.length !== 7 || !fields.every((field) => typeof field === "string")) return null;
      const [nonce, at, tag, code, reason, id, login] = fields as string[];
      if (!tagMatches(tag!, bindingOf(request), nonce!)) return null;
      const age = clock.now() - Number(at);
      if (!(age >= 0 && age <= ATTEMPT_LIFETIME_MS)) return null;
      return { code: code!, reason: reason!, user: { id: Number(id), login: login! } };
    },
  };
}

export type SignInRefusals = ReturnType<typeof signInRefusals>;

/** A page's "sign in again" (another account, or after single sign-on) that comes back to the interaction, so it may still succeed. */
function towardInteraction(action: PageAction, uid: string): PageAction {
  if (!action.href.startsWith("/auth/github")) return action;
  const url = new URL(action.href, "http://login.invalid");
  if (url.pathname !== "/auth/github") return action;
  url.searchParams.set("returnTo", `${interactionPath(uid)}?signed_in=1`);
  return { href: `${url.pathname}${url.search}`, label: action.label };
}
