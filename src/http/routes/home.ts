// GET /: the sign-in page when signed out, the profile when signed in.
import type { RequestHandler } from "express";
import type { PageRenderer } from "../render.js";
import type { AllowedSessions } from "../allowed-session.js";

export function home(sessions: AllowedSessions, pages: PageRenderer): RequestHandler {
  return async (request, response) => {
    const session = await sessions.allowed(request, response);
    if (!session) {
      pages.render(response, 200, "home", { title: "Sign in with GitHub", signInUrl: "/auth/github" });
      return;
    }
    const { user } = session.record;
    pages.render(response, 200, "profile", { title: user.name ?? user.login, user, logoutAction: "/auth/logout" });
  };
}
