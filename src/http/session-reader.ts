// Who is signed in, read the cheap way, in four steps, one function each: the credential the request
// carries (readCredential: its session cookie, or a session token in Authorization: Bearer), the
// session it names (loadSession: one round trip to the store, the entry and its remaining lifetime
// together), what the answer must write (writesDue: end it, slide its expiry, sign its cookie again),
// and then, in allowed-session.ts, whether its user may use it now (the access gate). Every route
// that needs to know who is signed in (/, /api/*, /auth/check, sign-out) asks here, on whatever
// answers it (Express or the read paths), rather than through express-session, which only creates
// sessions at sign-in. The idle expiry slides, but in steps: the entry and the cookie are moved only
// when the expiry is more than a step away from where sliding would put it, so a busy session costs
// no write and no Set-Cookie on most requests. A session past SESSION_MAX_AGE ends here, whatever
// its idle expiry says. A request for no host of ours (request-host.ts) has no session.
import type { IncomingMessage, ServerResponse } from "node:http";
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

/** What a request presents: a session cookie whose signature checked out for its host, or a bearer token. */
type Credential = { kind: "cookie"; sessionId: string; olderSecret: boolean } | { kind: "bearer"; token: string };

/** The session a credential names, as the store holds it now. */
interface LoadedSession {
  sessionId: string;
  record: SignedInRecord;
  /** The entry's remaining lifetime when it was read. */
  expiresInMs: number;
  credential: Credential;
}

export interface SessionReader {
  /**
   * This request's signed-in session, or null (no credential, a bad signature, no entry, or ended);
   * what that calls for is done on the way (the expiry moved, the cookie set or removed on `response`).
   */
  signedIn(request: IncomingMessage, response: ServerResponse): Promise<SignedInSession | null>;
  /** Gives the browser a cookie for this session on `host`, living `maxAgeMs` (the entry's remaining lifetime). */
  setCookie(response: ServerResponse, sessionId: string, host: RequestHost, maxAgeMs: number): void;
  /** Removes the session cookie from the browser. */
  clearCookie(response: ServerResponse): void;
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
  const cookies = sessionCookies(config);
  const readCredential = credentialReader(cookies, bearerSessions !== null);
  const loadSession = sessionLoader(entries, bearerSessions);
  const writesDue = dueWrites({ idleTimeoutMs, maxAgeMs, renewalStepMs: Math.min(MAX_RENEWAL_STEP_MS, Math.floor(idleTimeoutMs / 100)) });

  const clearCookie = cookiePolicy.clearSession;
  const setCookie = (response: ServerResponse, sessionId: string, host: RequestHost, maxAgeMs: number) =>
    cookiePolicy.setSession(response, cookies.signedValue(sessionId, host), maxAgeMs);

  async function signedIn(request: IncomingMessage, response: ServerResponse): Promise<SignedInSession | null> {
    // A request for no host of ours has no session, whatever it carries.
    const host = hosts.of(request);
    const credential = host && readCredential(request, host);
    const loaded = credential ? await loadSession(credential) : null;
    if (!host || !loaded) return null;

    const now = clock.now();
    const due = writesDue(loaded, now);
    if (due.end) {
      await entries.delete([loaded.sessionId]);
      onMaxAge(loaded.record);
      if (loaded.credential.kind === "cookie") clearCookie(response);
      return null;
    }
    if (due.slide) await entries.extend(loaded.sessionId, due.slidTtlMs);
    const expiresInMs = due.slide ? due.slidTtlMs : loaded.expiresInMs;
    if (due.signAgain) setCookie(response, loaded.sessionId, host, expiresInMs);
    noteSignedInUser(response, loaded.record.user.id);
    return { sessionId: loaded.sessionId, record: loaded.record, expiresAt: now + expiresInMs, credential: loaded.credential.kind };
  }

  return { signedIn, setCookie, clearCookie };
}

/** readCredential: the session cookie made for this host, or a bearer token; both at once is 400 mixed_credentials. */
function credentialReader(cookies: SessionCookies, bearerAccepted: boolean) {
  return (request: IncomingMessage, host: RequestHost): Credential | null => {
    const cookie = cookies.read(request.headers.cookie, host);
    const token = bearerAccepted ? bearerTokenOf(request) : null;
    if (token !== null) {
      refuseMixedCredentials(cookie !== null);
      return { kind: "bearer", token };
    }
    return cookie && { kind: "cookie", sessionId: cookie.sessionId, olderSecret: !cookie.signedWithCurrentSecret };
  };
}

/** loadSession: the session a credential names, from one store read (one more per older secret for a token). */
function sessionLoader(entries: SessionEntries, bearerSessions: BearerSessionLookup | null) {
  return async (credential: Credential): Promise<LoadedSession | null> => {
    const named =
      credential.kind === "cookie"
        ? { sessionId: credential.sessionId, found: await entries.readWithExpiry(credential.sessionId) }
        : await bearerSessions!.find(credential.token);
    const record = named?.found?.entry.data.auth;
    if (!named?.found || !record) return null;
    return { sessionId: named.sessionId, record, expiresInMs: named.found.expiresInMs, credential };
  };
}

interface SessionLimits {
  idleTimeoutMs: number;
  maxAgeMs: number;
  /** How far the expiry may drift from where sliding would put it before it is moved. */
  renewalStepMs: number;
}

/** writesDue: what a session read now calls for: end it (SESSION_MAX_AGE), move its expiry, sign its cookie again. */
function dueWrites({ idleTimeoutMs, maxAgeMs, renewalStepMs }: SessionLimits) {
  return (loaded: LoadedSession, now: number) => {
    const lifetimeLeftMs = loaded.record.signedInAt + maxAgeMs - now;
    const slidTtlMs = Math.min(idleTimeoutMs, lifetimeLeftMs);
    // Later than it should be (near SESSION_MAX_AGE, or after the idle timeout was shortened) moves too.
    const slide = Math.abs(slidTtlMs - loaded.expiresInMs) > renewalStepMs;
    // After a SESSION_SECRET rotation, cookies signed with the old secret move to the new one.
    const { credential } = loaded;
    const signAgain = credential.kind === "cookie" && (slide || credential.olderSecret);
    return { end: lifetimeLeftMs <= 0, slide, slidTtlMs, signAgain };
  };
}
