// Who is signed in, read the cheap way. Every route that needs to know (/, /api/*, /auth/check,
// sign-out) asks here rather than through express-session, which only creates sessions at sign-in.
// A read is one signature check of the cookie and one round trip to the store (the entry and its
// remaining lifetime together). The idle expiry slides, but in steps: the entry and the cookie are
// moved only when the expiry is more than a step away from where sliding would put it, so a busy
// session costs no write and no Set-Cookie on most requests. A session past SESSION_MAX_AGE ends
// here, whatever its idle expiry says. A request for no host of ours (request-host.ts) has no session.
import type { IncomingMessage } from "node:http";
import type { Request, Response } from "express";
import type { SignedInRecord } from "../auth/session-record.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { SessionEntries } from "../store/session-entries.js";
import { bearerTokenOf, refuseMixedCredentials, type BearerSessionLookup } from "./bearer-token.js";
import { noteSignedInUser } from "./request-logging.js";
import { serverCookies } from "./cookies.js";
import type { HostResolver, RequestHost } from "./request-host.js";
import { sessionCookies, type SessionCookies } from "./session-cookie.js";

/** The largest step of the sliding expiry (smaller for idle timeouts under 100 minutes: 1 % of it). */
const MAX_RENEWAL_STEP_MS = 60_000;

export interface SignedInSession {
  sessionId: string;
  record: SignedInRecord;
  /** When the session ends unless it is used again (epoch ms). */
  expiresAt: number;
  /** How the request named it: its session cookie, or a session token (Authorization: Bearer). */
  credential: "cookie" | "bearer";
}

/** What a request's credentials name in the store: read once, before anything is written. */
export interface NamedSession {
  sessionId: string;
  record: SignedInRecord;
  /** The entry's remaining lifetime when it was read. */
  expiresInMs: number;
  credential: SignedInSession["credential"];
  /** The cookie was signed with an older SESSION_SECRET and should be signed again. */
  olderSecret: boolean;
}

export interface SessionReader {
  /** This request's signed-in session, or null (no cookie, a bad signature, no entry, or ended). */
  signedIn(request: Request, response: Response): Promise<SignedInSession | null>;
  /**
   * For the read paths answered before Express (read-paths-first.ts): the session this request's
   * credentials name on `host`, or null, from one store read that writes nothing.
   */
  lookUp(request: IncomingMessage, host: RequestHost): Promise<NamedSession | null>;
  /** Gives a lookUp() of this request to its first signedIn(), so a request passed on to Express is read once. */
  handOver(request: IncomingMessage, reading: Promise<NamedSession | null>): void;
  /** The session as signedIn() would answer it when that answer needs no write (no expiry to move, no cookie to set); null otherwise. */
  asReadWithoutWrites(named: NamedSession): SignedInSession | null;
  /** Gives the browser a cookie for this session on `host`, living `maxAgeMs` (the entry's remaining lifetime). */
  setCookie(response: Response, sessionId: string, host: RequestHost, maxAgeMs: number): void;
  /** Removes the session cookie from the browser. */
  clearCookie(response: Response): void;
}

/** `onMaxAge`: told of each session this reader ends because SESSION_MAX_AGE passed. */
export function createSessionReader(
  config: Config,
  clock: Clock,
  entries: SessionEntries,
  hosts: HostResolver,
  onMaxAge: (record: SignedInRecord) => void = () => undefined,
  bearerSessions: BearerSessionLookup | null = null,
): SessionReader {
  const { idleTimeoutMs, maxAgeMs } = config.session;
  const cookiePolicy = serverCookies(config.session.secureCookies);
  const { name: cookieName, attributes: cookieAttributes } = cookiePolicy.session;
  const cookies = sessionCookies(config);
  const dueWrites = writesDue({ idleTimeoutMs, maxAgeMs, renewalStepMs: Math.min(MAX_RENEWAL_STEP_MS, Math.floor(idleTimeoutMs / 100)) });
  /** Reads made by lookUp(), waiting for the same request's signedIn(). */
  const handedOver = new WeakMap<IncomingMessage, Promise<NamedSession | null>>();

  const clearCookie = cookiePolicy.clearSession;
  const setCookie = (response: Response, sessionId: string, host: RequestHost, maxAgeMs: number) =>
    void response.cookie(cookieName, cookies.signedValue(sessionId, host), { ...cookieAttributes, maxAge: maxAgeMs });

  const lookUp = namedSessionReader(cookies, entries, bearerSessions);
  const handOver = (request: IncomingMessage, reading: Promise<NamedSession | null>) => void handedOver.set(request, reading);

  function asReadWithoutWrites(named: NamedSession): SignedInSession | null {
    const now = clock.now();
    const due = dueWrites(named, now);
    return due.ended || due.slides || due.signAgain ? null : answerFor(named, now, named.expiresInMs);
  }

  async function signedIn(request: Request, response: Response): Promise<SignedInSession | null> {
    // A request for no host of ours has no session, whatever it carries.
    const host = hosts.of(request);
    if (!host) return null;
    const readAlready = handedOver.get(request);
    handedOver.delete(request);
    const named = await (readAlready ?? lookUp(request, host));
    if (!named) return null;

    const now = clock.now();
    const due = dueWrites(named, now);
    if (due.ended) {
      await entries.delete([named.sessionId]);
      onMaxAge(named.record);
      if (named.credential === "cookie") clearCookie(response);
      return null;
    }
    if (due.slides) await entries.extend(named.sessionId, due.slidTtlMs);
    // After a SESSION_SECRET rotation, cookies signed with the old secret move to the new one.
    const expiresInMs = due.slides ? due.slidTtlMs : named.expiresInMs;
    if (due.signAgain) setCookie(response, named.sessionId, host, expiresInMs);
    noteSignedInUser(response, named.record.user.id);
    return answerFor(named, now, expiresInMs);
  }

  return { signedIn, lookUp, handOver, asReadWithoutWrites, setCookie, clearCookie };
}

interface SessionLimits {
  idleTimeoutMs: number;
  maxAgeMs: number;
  /** How far the expiry may drift from where sliding would put it before it is moved. */
  renewalStepMs: number;
}

/** What signedIn() must do with a session read now: end it (SESSION_MAX_AGE), move its expiry, sign its cookie again. */
function writesDue({ idleTimeoutMs, maxAgeMs, renewalStepMs }: SessionLimits) {
  return (named: NamedSession, now: number) => {
    const lifetimeLeftMs = named.record.signedInAt + maxAgeMs - now;
    const slidTtlMs = Math.min(idleTimeoutMs, lifetimeLeftMs);
    // Later than it should be (near SESSION_MAX_AGE, or after the idle timeout was shortened) moves too.
    const slides = Math.abs(slidTtlMs - named.expiresInMs) > renewalStepMs;
    return { ended: lifetimeLeftMs <= 0, slides, slidTtlMs, signAgain: named.credential === "cookie" && (slides || named.olderSecret) };
  };
}

function answerFor({ sessionId, record, credential }: NamedSession, now: number, expiresInMs: number): SignedInSession {
  return { sessionId, record, expiresAt: now + expiresInMs, credential };
}

/** lookUp(): the session a request's cookie or bearer token names on its host, from one store read (one more per older secret for a token). */
function namedSessionReader(cookies: SessionCookies, entries: SessionEntries, bearerSessions: BearerSessionLookup | null) {
  return async (request: IncomingMessage, host: RequestHost): Promise<NamedSession | null> => {
    const cookie = cookies.read(request.headers.cookie, host);
    const bearer = bearerSessions ? bearerTokenOf(request) : null;
    if (bearer !== null) refuseMixedCredentials(cookie !== null);
    if (cookie === null && bearer === null) return null;
    const named = cookie ? { sessionId: cookie.sessionId, found: await entries.readWithExpiry(cookie.sessionId) } : await bearerSessions!.find(bearer!);
    const record = named?.found?.entry.data.auth;
    if (!named?.found || !record) return null;
    const credential = cookie ? "cookie" : "bearer";
    return { sessionId: named.sessionId, record, expiresInMs: named.found.expiresInMs, credential, olderSecret: cookie ? !cookie.signedWithCurrentSecret : false };
  };
}
