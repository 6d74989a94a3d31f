// Promise wrappers around express-session's callback API, and the one place that decides whether
// a request is signed in (including the absolute SESSION_MAX_AGE limit).
import type { Request } from "express";
import type { SignedInRecord } from "../auth/session-record.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import { sessionStoreUnavailable } from "../errors.js";

function settle(resolve: () => void, reject: (error: unknown) => void) {
  return (error?: unknown) => (error ? reject(sessionStoreUnavailable(error)) : resolve());
}

export const regenerateSession = (request: Request) =>
  new Promise<void>((resolve, reject) => request.session.regenerate(settle(resolve, reject)));

export const saveSession = (request: Request) => new Promise<void>((resolve, reject) => request.session.save(settle(resolve, reject)));

export const destroySession = (request: Request) =>
  new Promise<void>((resolve, reject) => (request.session ? request.session.destroy(settle(resolve, reject)) : resolve()));

/**
 * The signed-in record of this request, or null. A session older than SESSION_MAX_AGE is ended
 * here, whatever its idle expiry says; a live one gets its cookie capped at that absolute limit.
 */
export async function signedInRecord(request: Request, config: Config, clock: Clock): Promise<SignedInRecord | null> {
  const record = request.session?.auth;
  if (!record) return null;
  const remainingMs = record.signedInAt + config.session.maxAgeMs - clock.now();
  if (remainingMs <= 0) {
    await destroySession(request);
    return null;
  }
  request.session.cookie.maxAge = Math.min(config.session.idleTimeoutMs, remainingMs);
  return record;
}
