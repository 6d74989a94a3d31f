// Bearer credentials (SPEC §8): `Authorization: Bearer <session token>`, the way a program holding
// a device session's token authenticates. Parsing lives here, the hashing that names the session in
// auth/session-token.ts, so the session reader only asks "which session does this request name?".
// A request with both a session cookie and a bearer token is refused: which one it means is not guessed.
import type { IncomingMessage } from "node:http";
import type { SessionTokens } from "../auth/session-token.js";
import { mixedCredentials } from "../errors.js";
import type { SessionEntries, SessionEntry } from "../store/session-entries.js";

const BEARER = /^Bearer +(\S+) *$/i;

/** The bearer token this request carries, or null when its Authorization header is not a bearer one. */
export function bearerTokenOf(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  return typeof header === "string" ? (BEARER.exec(header)?.[1] ?? null) : null;
}

/** A page cannot make a browser send an Authorization header, so a request carrying one was not forged cross-site. */
export const carriesBearerToken = (request: IncomingMessage) => bearerTokenOf(request) !== null;

export function refuseMixedCredentials(hasSessionCookie: boolean): void {
  if (hasSessionCookie) throw mixedCredentials();
}

export interface BearerSessionLookup {
  /** The session the token names and its entry, in one store read under the current secret (one more per older secret). */
  find(token: string): Promise<{ sessionId: string; found: { entry: SessionEntry; expiresInMs: number } } | null>;
}

export function bearerSessionLookup(tokens: SessionTokens, entries: SessionEntries): BearerSessionLookup {
  return {
    async find(token) {
      for (const sessionId of tokens.sessionIdsFor(token)) {
        const found = await entries.readWithExpiry(sessionId);
        if (found) return { sessionId, found };
      }
      return null;
    },
  };
}
