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
 * The same page under /auth/, which every proxy configuration routes to this server: where the
 * login host's "/" is a protected application (one host for both), the check sends a signed-out
 * visit of SIGNED_OUT_PATH here (sign-in-address.ts) instead of into a new sign-in.
 */
export const SIGNED_OUT_PAGE_UNDER_AUTH = "/auth/signed-out";

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
      pages.render(response, 200, "home", {
        title: signedOut ? "Signed out" : "Sign in with GitHub",
        signInUrl: "/auth/github",
        signedOut,
      });
      return;
    }
    const { user } = session.record;
    pages.render(response, 200, "profile", { title: user.name ?? user.login, user, logoutAction: "/auth/logout" });
  };
}

/** GET /auth/signed-out: the signed-out page wherever "/" is an application; signed in (again) → "/". */
export function signedOutPage(sessions: AllowedSessions, pages: PageRenderer): RequestHandler {
  return async (request, response) => {
    if (await sessions.allowed(request, response)) return void response.redirect(303, "/");
    pages.render(response, 200, "home", { title: "Signed out", signInUrl: "/auth/github", signedOut: true });
  };
}
