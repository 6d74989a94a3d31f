// express-session and connect-redis in this server: what they do here, and what they do not.
//
// They DO create browser sessions. express-session runs on one route only, the sign-in callback:
// it loads the browser's earlier session (so the sign-in can end it), regenerates the id (a fresh
// 256-bit id from the CSPRNG, never one the browser held: session fixation), saves the new entry
// through the store (connect-redis in Redis, behind store/express-session-store.ts, which only
// ever creates), and writes the signed, host-only cookie. startSession (auth/session-start.ts) is
// what decides to start one; this file is how a browser's is made (`browserSession`).
//
// They do NOT read, slide or change sessions. Every other route reads the cookie and the entry
// itself, in one round trip (session-reader.ts), slides the expiry in steps, and changes entries
// only by compare-and-set (store/session-entries.ts). express-session would save the whole object
// a request loaded when the request ends (a slow request writing back old tokens, or bringing a
// signed-out session back to life), and its touch would cost a write on every request; so here it
// neither rolls the cookie nor touches entries. A store outage becomes a 503, not a silent sign-out.
import { randomBytes } from "node:crypto";
import { parse as parseCookies } from "cookie";
import type { Request, RequestHandler, Response } from "express";
import session, { type Store } from "express-session";
import type { Logger } from "pino";
import type { NewSession } from "../auth/session-start.js";
import type { SignedInRecord } from "../auth/session-record.js";
import type { Config } from "../config/config.js";
import { sessionStoreUnavailable } from "../errors.js";
import { ExpressSessionStore } from "../store/express-session-store.js";
import type { SessionEntries } from "../store/session-entries.js";
import { serverCookies } from "./cookies.js";
import { noteSignedInUser } from "./request-logging.js";

// What a browser's session holds, as express-session sees it: the signed-in record under `auth`.
declare module "express-session" {
  interface SessionData {
    auth: SignedInRecord;
  }
}

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

function settle(resolve: () => void, reject: (error: unknown) => void) {
  return (error?: unknown) => (error ? reject(sessionStoreUnavailable(error)) : resolve());
}

const regenerateSession = (request: Request) => new Promise<void>((resolve, reject) => request.session.regenerate(settle(resolve, reject)));

const saveSession = (request: Request) => new Promise<void>((resolve, reject) => request.session.save(settle(resolve, reject)));

/** How the sign-in callback's request starts a browser's session (after createSessionMiddleware ran on it). */
export function browserSession(request: Request, response: Response): NewSession {
  const earlier = request.session.auth;
  return {
    userAgent: request.get("user-agent") ?? null,
    earlier: earlier ? { sessionId: request.sessionID, userId: earlier.user.id } : null,
    async create(record) {
      // A session express-session generated in this request (the browser sent no session cookie)
      // already has an id no browser has seen. Regenerating it anyway would delete an entry that
      // does not exist, draw a second id, and leave express-session saving the entry once more as
      // the request ends (its save bookkeeping is per loaded session).
      if (!generatedHere.has(request.session)) await regenerateSession(request);
      request.session.auth = record;
      await saveSession(request);
      noteSignedInUser(response, record.user.id);
      return request.sessionID;
    },
  };
}
