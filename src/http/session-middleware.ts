// express-session, mounted on the sign-in callback only, where sessions begin: it regenerates the
// id and saves the new entry through ExpressSessionStore (store/express-session-store.ts: what it
// may and may not do there, and why). Reading a session and sliding its expiry is the session
// reader's job (session-reader.ts), so express-session neither rolls the cookie nor touches
// entries. A store outage becomes a 503 instead of a silent sign-out.
import { randomBytes } from "node:crypto";
import { parse as parseCookies } from "cookie";
import type { Request, RequestHandler } from "express";
import session, { type Store } from "express-session";
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import { sessionStoreUnavailable } from "../errors.js";
import { ExpressSessionStore } from "../store/express-session-store.js";
import type { SessionEntries } from "../store/session-entries.js";
import { serverCookies } from "./cookies.js";

export function createSessionMiddleware(config: Config, entries: Store & SessionEntries, logger: Pick<Logger, "error">): RequestHandler {
  const { name, attributes } = serverCookies(config.session.secureCookies).session;
  const cookie = { ...attributes, maxAge: config.session.idleTimeoutMs };
  const middleware = session({
    name,
    secret: config.session.secrets,
    store: new ExpressSessionStore(entries, cookie, logger),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: "destroy",
    // 256-bit session ids from the CSPRNG.
    genid: () => randomBytes(32).toString("base64url"),
    cookie,
  });
  return (request, response, next) => {
    const browserSentOne = parseCookies(request.headers.cookie ?? "")[name] !== undefined;
    middleware(request, response, (error?: unknown) => {
      if (error) return next(sessionStoreUnavailable(error));
      if (!browserSentOne && request.session) generatedHere.add(request.session);
      next();
    });
  };
}

/** Sessions express-session generated for a request whose browser sent no session cookie. */
const generatedHere = new WeakSet<object>();

/**
 * True when express-session generated this request's session itself, the browser having sent no
 * session cookie: its id is fresh from the CSPRNG and was never in any browser, so starting the
 * signed-in session under it cannot be a fixation.
 */
export function sessionGeneratedThisRequest(request: Request): boolean {
  return generatedHere.has(request.session);
}
