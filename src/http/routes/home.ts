// GET /: the sign-in page when signed out, the profile when signed in.
import { Router } from "express";
import type { Clock } from "../../clock.js";
import type { Config } from "../../config/config.js";
import type { PageRenderer } from "../render.js";
import { signedInRecord } from "../session-helpers.js";

export function homeRoutes(config: Config, clock: Clock, pages: PageRenderer): Router {
  const router = Router();
  router.get("/", async (request, response) => {
    const record = await signedInRecord(request, config, clock);
    if (!record) {
      pages.render(response, 200, "home", { title: "Sign in with GitHub", signInUrl: "/auth/github" });
      return;
    }
    const { user } = record;
    pages.render(response, 200, "profile", { title: user.name ?? user.login, user, logoutAction: "/auth/logout" });
  });
  return router;
}
