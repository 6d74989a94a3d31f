// GET /avatars/u/:id — a small generated SVG (initials on a colour), standing in for
// avatars.githubusercontent.com so demo pages show pictures without leaving the emulator.
import express, { type Router } from "express";
import type { Directory } from "./directory.js";
import type { EmulatorState } from "./state.js";

export function avatarRoutes(store: EmulatorState, directory: Directory): Router {
  const router = express.Router();
  router.get("/avatars/u/:id", (request, response) => {
    const id = Number(request.params.id);
    const login = store.userById(id)?.login ?? directory.orgById(id)?.login;
    if (!Number.isSafeInteger(id) || login === undefined) {
      response.status(404).type("text/plain").send("Not Found");
      return;
    }
    response.setHeader("Cache-Control", "public, max-age=300");
    // An SVG opened directly is a document: forbid anything active in it.
    response.setHeader("Content-Security-Policy", "default-src 'none'");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.type("image/svg+xml").send(avatarSvg(login, id));
  });
  return router;
}

/** The pages' font stack (emulator.css --font), so initials match the text beside them. */
const FONT_STACK = "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'Noto Sans', Helvetica, Arial, sans-serif";

export function avatarSvg(login: string, id: number): string {
  const initials =
    login
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 2)
      .toUpperCase() || "?";
  const hue = id % 360;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img">',
    `<title>${initials}</title>`,
    `<rect width="64" height="64" fill="hsl(${hue}, 55%, 45%)"/>`,
    `<text x="32" y="41" font-family="${FONT_STACK}" font-size="26" font-weight="600" fill="#fff" text-anchor="middle">${initials}</text>`,
    "</svg>",
  ].join("");
}
