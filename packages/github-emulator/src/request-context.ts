// Per-request facts every route needs: the emulator's Date header and the browser-facing base URL.
import type { RequestHandler, Response } from "express";
import type { Clock } from "./clock.js";

const WEB_BASE = "emulatorWebBase";

/**
 * Sets `Date` from the emulator clock on every answer (octokit computes token expiry from GitHub's
 * Date header and throws without one), and remembers the base URL for avatar_url/html_url: the
 * configured one, else protocol + host + the path the emulator is mounted at.
 */
export function requestContext(clock: Clock, configuredWebBase: string | undefined): RequestHandler {
  const fixedBase = configuredWebBase?.replace(/\/+$/, "");
  return (request, response, next) => {
    response.setHeader("Date", new Date(clock.now()).toUTCString());
    response.locals[WEB_BASE] = fixedBase ?? `${request.protocol}://${request.get("host") ?? "localhost"}${request.baseUrl}`;
    next();
  };
}

export function webBase(response: Response): string {
  const base: unknown = response.locals[WEB_BASE];
  return typeof base === "string" ? base : "";
}

export function apiBase(response: Response): string {
  return `${webBase(response)}/api/v3`;
}
