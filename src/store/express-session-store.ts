// The one Store express-session is given (http/express-session-adapter.ts says what express-session
// does in this server and what it does not). It only ever creates:
// - a save only creates (under the fresh random id of a regenerated session), never overwrites:
//   every change after sign-in goes through the compare-and-set of SessionEntries;
// - touch does nothing (the session reader slides expiry, in steps);
// - the cookie is not stored: it is the same configured one for every session, given back on load.
// get and destroy are the backing store's own (connect-redis in Redis).
import { Store, type Cookie, type SessionData } from "express-session";
import type { Logger } from "pino";
import type { SessionEntries, StoredSession } from "./session-entries.js";

type Callback = (error?: unknown) => void;

/** The cookie express-session gives every session: its attributes and the idle timeout as Max-Age. */
export type SessionCookieSettings = Pick<Cookie, "httpOnly" | "sameSite" | "secure" | "path"> & { maxAge: number };

export class ExpressSessionStore extends Store {
  constructor(
    private readonly backing: Store & SessionEntries,
    private readonly cookie: SessionCookieSettings,
    private readonly logger: Pick<Logger, "error">,
  ) {
    super();
  }

  override get(sessionId: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    this.backing.get(sessionId, (error, stored) => {
      if (error || !stored) return callback(error, null);
      const { cookie: _none, ...data } = stored;
      callback(null, { ...data, cookie: { ...this.cookie, originalMaxAge: this.cookie.maxAge } } as unknown as SessionData);
    });
  }

  override set(sessionId: string, session: SessionData, callback?: Callback): void {
    const { cookie, ...data } = session;
    const expires = cookie?.expires ? new Date(cookie.expires).getTime() : Number.NaN;
    const ttlMs = Number.isFinite(expires) ? expires - Date.now() : this.cookie.maxAge;
    this.createOnly(sessionId, data, ttlMs).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override touch(_sessionId: string, _session: SessionData, callback?: () => void): void {
    callback?.();
  }

  override destroy(sessionId: string, callback?: Callback): void {
    this.backing.destroy(sessionId, callback);
  }

  private async createOnly(sessionId: string, data: StoredSession, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return this.backing.delete([sessionId]);
    if (await this.backing.create(sessionId, data, ttlMs)) return;
    // express-session saves a regenerated session once more as the request ends; that repeat
    // carries the same content and is harmless. Anything else bypassed the compare-and-set.
    const stored = await this.backing.read(sessionId);
    if (stored === null || JSON.stringify(stored.data.auth) !== JSON.stringify(data.auth)) {
      this.logger.error(
        "refused to overwrite an existing session entry from express-session: changes after sign-in must use SessionEntries",
      );
    }
  }
}
