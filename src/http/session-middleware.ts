// express-session wired for this server: signed cookie (SESSION_SECRET list, first one signs),
// HttpOnly + SameSite=Lax (+ Secure and the __Host- prefix on https), sliding idle expiry, and a
// store outage turned into a 503 instead of a silent sign-out.
import { randomBytes } from "node:crypto";
import type { RequestHandler } from "express";
import session, { type Store } from "express-session";
import type { Config } from "../config/config.js";
import { sessionStoreUnavailable } from "../errors.js";

export function sessionCookieOptions(config: Config) {
  return { httpOnly: true, sameSite: "lax" as const, secure: config.session.secureCookies, path: "/" };
}

export function createSessionMiddleware(config: Config, store: Store): RequestHandler {
  const middleware = session({
    name: config.session.cookieName,
    secret: config.session.secrets,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: "destroy",
    // 256-bit session ids from the CSPRNG.
    genid: () => randomBytes(32).toString("base64url"),
    cookie: { ...sessionCookieOptions(config), maxAge: config.session.idleTimeoutMs },
  });
  return (request, response, next) => {
    middleware(request, response, (error?: unknown) => (error ? next(sessionStoreUnavailable(error)) : next()));
  };
}
