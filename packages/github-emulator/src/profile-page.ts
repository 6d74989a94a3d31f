// GET /<login>: the user's profile page, where html_url points (GitHub's github.com/<login>), and the
// styled 404 page for unknown logins and any other path the emulator does not serve. Registered
// after every OAuth and API route, so a one-segment path can never shadow one of them.
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import type { Eta } from "eta";
import { pageRoot, sendHtml } from "./html-page.js";
import type { EmulatorState } from "./state.js";

export function profileRoutes(store: EmulatorState, views: Eta): Router {
  const router = express.Router();
  router.get("/:login", (request, response) => {
    const login = String(request.params.login);
    const user = store.userByLogin(login);
    if (!user) {
      const shown = login.length > 60 ? `${login.slice(0, 60)}…` : login;
      sendNotFound(request, response, store, views, `No user named “${shown}” in the emulator.`);
      return;
    }
    sendHtml(response, 200, views.render("profile", { root: pageRoot(request), user, joined: joinedMonth(user.createdAt) }));
  });
  return router;
}

/** The catch-all: HTML, like GitHub's own 404 page (the API keeps its JSON 404 under /api/v3). */
export function notFoundPage(store: EmulatorState, views: Eta): RequestHandler {
  return (request, response) => sendNotFound(request, response, store, views, "The emulator serves no page at this address.");
}

function sendNotFound(request: Request, response: Response, store: EmulatorState, views: Eta, message: string): void {
  const root = pageRoot(request);
  const users = store.users.map((user) => ({ login: user.login, href: `${root}${encodeURIComponent(user.login)}` }));
  sendHtml(response, 404, views.render("not-found", { root, message, users }));
}

/** "January 2011", as GitHub's "Joined" line reads; the raw timestamp goes in the datetime attribute. */
function joinedMonth(createdAt: string): string {
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) return createdAt;
  return date.toLocaleDateString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}
