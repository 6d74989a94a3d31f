// GET /: the sign-in page when signed out, the profile when signed in. Sign-out lands on the
// sign-in page with `?signed_out=1`, which then says so (SPEC §3): a page that starts nothing, so
// signing out never bounces into a new sign-in.
import type { RequestHandler } from "express";
import type { PageRenderer } from "../render.js";
import type { AllowedSessions } from "../allowed-session.js";
import type { RequestHost } from "../request-host.js";

/** Where every browser sign-out lands, on the login host (routes/auth.ts, routes/sessions.ts). */
export const SIGNED_OUT_PATH = "/?signed_out=1";

/**
 * The login host's signed-out page, from whichever host the browser signed out on. Not "/" on a
 * protected host: that is the app, whose forward-auth check would send the browser straight back
 * through sign-in to GitHub (SPEC §3).
 */
export function signedOutLocation(publicUrl: string, host: RequestHost | null): string {
  return `${host?.login === false ? publicUrl : ""}${SIGNED_OUT_PATH}`;
}

export function home(sessions: AllowedSessions, pages: PageRenderer): RequestHandler {
  return async (request, response) => {
    const session = await sessions.allowed(request, response);
    if (!session) {
      const signedOut = request.query.signed_out === "1";
      pages.render(response, 200, "home", { title: signedOut ? "Signed out" : "Sign in with GitHub", signInUrl: "/auth/github", signedOut });
      return;
    }
    const { user } = session.record;
    pages.render(response, 200, "profile", { title: user.name ?? user.login, user, logoutAction: "/auth/logout" });
  };
}
