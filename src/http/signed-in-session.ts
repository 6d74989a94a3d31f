// Who is signed in, read the cheap way. Every route that needs to know (/, /api/*, /auth/check,
// sign-out) asks here rather than through express-session, which only creates sessions at sign-in.
// A read is one signature check of the cookie and one round trip to the store (the entry and its
// remaining lifetime together). The idle expiry slides, but in steps: the entry and the cookie are
// moved only when the expiry is more than a step away from where sliding would put it, so a busy
// session costs no write and no Set-Cookie on most requests. A session past SESSION_MAX_AGE ends
// here, whatever its idle expiry says. A request for no host of ours (request-host.ts) has no session.
import type { Request, Response } from "express";
import type { SignedInRecord } from "../auth/session-record.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { SessionEntries } from "../store/session-entries.js";
import { bearerTokenOf, refuseMixedCredentials, type BearerSessionLookup } from "./bearer-token.js";
import { noteSignedInUser } from "./request-logging.js";
import { serverCookies } from "./cookies.js";
import type { HostResolver, RequestHost } from "./request-host.js";
import { sessionCookies } from "./session-cookie.js";

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

export interface SessionReader {
  /** This request's signed-in session, or null (no cookie, a bad signature, no entry, or ended). */
  signedIn(request: Request, response: Response): Promise<SignedInSession | null>;
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
  const renewalStepMs = Math.min(MAX_RENEWAL_STEP_MS, Math.floor(idleTimeoutMs / 100));

  const clearCookie = cookiePolicy.clearSession;
  const setCookie = (response: Response, sessionId: string, host: RequestHost, maxAgeMs: number) =>
    void response.cookie(cookieName, cookies.signedValue(sessionId, host), { ...cookieAttributes, maxAge: maxAgeMs });

  async function signedIn(request: Request, response: Response): Promise<SignedInSession | null> {
    // A request for no host of ours has no session, whatever it carries.
    const host = hosts.of(request);
    if (!host) return null;
    const cookie = cookies.read(request.headers.cookie, host);
    const bearer = bearerSessions ? bearerTokenOf(request) : null;
    if (bearer !== null) refuseMixedCredentials(cookie !== null);
    if (cookie === null && bearer === null) return null;
    const named = cookie ? { sessionId: cookie.sessionId, found: await entries.readWithExpiry(cookie.sessionId) } : await bearerSessions!.find(bearer!);
    if (!named) return null;
    const { sessionId, found } = named;
    const record = found?.entry.data.auth;
    if (!found || !record) return null;

    const now = clock.now();
    const lifetimeLeftMs = record.signedInAt + maxAgeMs - now;
    if (lifetimeLeftMs <= 0) {
      await entries.delete([sessionId]);
      onMaxAge(record);
      if (cookie) clearCookie(response);
      return null;
    }
    const slidTtlMs = Math.min(idleTimeoutMs, lifetimeLeftMs);
    // Later than it should be (near SESSION_MAX_AGE, or after the idle timeout was shortened) moves too.
    const slides = Math.abs(slidTtlMs - found.expiresInMs) > renewalStepMs;
    if (slides) await entries.extend(sessionId, slidTtlMs);
    // After a SESSION_SECRET rotation, cookies signed with the old secret move to the new one.
    const expiresInMs = slides ? slidTtlMs : found.expiresInMs;
    if (cookie && (slides || !cookie.signedWithCurrentSecret)) setCookie(response, sessionId, host, expiresInMs);
    noteSignedInUser(response, record.user.id);
    return { sessionId, record, expiresAt: now + expiresInMs, credential: cookie ? "cookie" : "bearer" };
  }

  return { signedIn, setCookie, clearCookie };
}
