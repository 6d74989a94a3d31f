// Promise wrappers around express-session's callback API, for the sign-in callback (the one route
// where express-session runs).
import type { Request } from "express";
import { sessionStoreUnavailable } from "../errors.js";

function settle(resolve: () => void, reject: (error: unknown) => void) {
  return (error?: unknown) => (error ? reject(sessionStoreUnavailable(error)) : resolve());
}

export const regenerateSession = (request: Request) =>
  new Promise<void>((resolve, reject) => request.session.regenerate(settle(resolve, reject)));

export const saveSession = (request: Request) => new Promise<void>((resolve, reject) => request.session.save(settle(resolve, reject)));
