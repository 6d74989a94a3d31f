// GET /api/me and GET /api/session: the signed-in user for programs holding the session cookie or
// a session token. Read paths: read-paths.ts writes the answers (JSON with an ETag, 304, CORS).
import { unauthenticated } from "../../errors.js";
import type { AllowedSessions } from "../allowed-session.js";
import type { ReadPathHandler } from "../read-paths.js";

const isoOrNull = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

/** GET /api/me */
export function currentUser(sessions: AllowedSessions): ReadPathHandler {
  return async (request, response) => {
    // The profile is the answer here: a due revalidation is waited for (only here), and an
    // expiring token refreshed, as SPEC §3 asks of /api/me.
    const session = await sessions.allowed(request, response, { waitForGitHub: true });
    if (!session) throw unauthenticated();
    return { status: 200, json: session.record.user };
  };
}

/** GET /api/session */
export function sessionDetails(sessions: AllowedSessions): ReadPathHandler {
  return async (request, response) => {
    const session = await sessions.allowed(request, response);
    if (!session) throw unauthenticated();
    const { record, expiresAt } = session;
    const json = {
      user: { id: record.user.id, login: record.user.login },
      createdAt: isoOrNull(record.signedInAt),
      expiresAt: isoOrNull(expiresAt),
      github: {
        clientType: record.github.clientType,
        scopes: record.github.scopes,
        accessTokenExpiresAt: isoOrNull(record.github.accessTokenExpiresAt),
        refreshTokenExpiresAt: isoOrNull(record.github.refreshTokenExpiresAt),
      },
    };
    return { status: 200, json };
  };
}
