// Whether a sign-in may reuse the browser's session instead of asking GitHub (SPEC §3, §6): every
// sign-in with GitHub costs one of the user's ten tokens for this app, and an eleventh silently
// revokes the oldest (a CLI's, say), so a browser signed in and allowed goes on without one.
// Only a browser's own session counts (its cookie; a program's token stays with the program). A
// refused or unconfirmed one does not: signing in with GitHub again is how its user gets back in
// (added to the organisation meanwhile, SAML single sign-on done, another account), so it must not
// end on the same refusal with no way out.
import type { Request, Response } from "express";
import { AppError } from "../errors.js";
import type { AllowedSessions } from "./allowed-session.js";
import type { SignedInSession } from "./session-reader.js";

/** The browser's session when a sign-in may use it as it is; null when it must go to GitHub. */
export async function reusableBrowserSession(
  allowed: AllowedSessions,
  request: Request,
  response: Response,
): Promise<SignedInSession | null> {
  try {
    const session = await allowed.allowed(request, response);
    return session?.credential === "cookie" ? session : null;
  } catch (error) {
    if (standsInTheWay(error)) return null;
    throw error; // the store is down, a cookie and a token together: answered as such
  }
}

/**
 * The answers of allowed() that mean "this session may not be used now", not a failure: ended
 * meanwhile (401), refused by the lists or waiting for SAML single sign-on (403), or a decision
 * older than may stand unconfirmed (SPEC §7).
 */
function standsInTheWay(error: unknown): boolean {
  return error instanceof AppError && (error.status === 401 || error.status === 403 || error.code === "access_unconfirmed");
}
