// express-session, used where sessions begin: the sign-in callback regenerates the id and saves
// the new entry through it (connect-redis, create-only). Reading a session and sliding its expiry
// is the session reader's job (signed-in-session.ts), so express-session neither rolls the cookie
// nor touches entries. A store outage becomes a 503 instead of a silent sign-out.
import { randomBytes } from "node:crypto";
import type { RequestHandler } from "express";
import session, { type Store } from "express-session";
import type { Config } from "../config/config.js";
import { sessionStoreUnavailable } from "../errors.js";
import { sessionCookieOptions } from "./session-cookie.js";

export function createSessionMiddleware(config: Config, store: Store): RequestHandler {
  const cookie = { ...sessionCookieOptions(config), maxAge: config.session.idleTimeoutMs };
  const middleware = session({
    name: config.session.cookieName,
    secret: config.session.secrets,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: "destroy",
    // 256-bit session ids from the CSPRNG.
    genid: () => randomBytes(32).toString("base64url"),
    cookie,
  });
  return (request, response, next) => {
    middleware(request, response, (error?: unknown) => {
      if (error) return next(sessionStoreUnavailable(error));
      // A loaded entry carries no cookie (store/session-entries.ts): give it the configured one.
      if (request.session) {
        Object.assign(request.session.cookie, sessionCookieOptions(config));
        request.session.cookie.originalMaxAge = cookie.maxAge;
        request.session.cookie.maxAge = cookie.maxAge;
      }
      next();
    });
  };
}
