// GET /api/me and GET /api/session: the signed-in user for programs holding the session cookie.
import type { RequestHandler } from "express";
import type { CurrentProfile } from "../../auth/current-profile.js";
import { unauthenticated } from "../../errors.js";
import type { SessionReader } from "../signed-in-session.js";

const isoOrNull = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

/** GET /api/me */
export function currentUser(sessions: SessionReader, currentProfile: CurrentProfile): RequestHandler {
  return async (request, response) => {
    const session = await sessions.signedIn(request, response);
    if (!session) throw unauthenticated();
    response.json(await currentProfile.currentProfile(session.sessionId, session.record));
  };
}

/** GET /api/session */
export function sessionDetails(sessions: SessionReader): RequestHandler {
  return async (request, response) => {
    const session = await sessions.signedIn(request, response);
    if (!session) throw unauthenticated();
    const { record, expiresAt } = session;
    response.json({
      user: { id: record.user.id, login: record.user.login },
      createdAt: isoOrNull(record.signedInAt),
      expiresAt: isoOrNull(expiresAt),
      github: {
        clientType: record.github.clientType,
        scopes: record.github.scopes,
        accessTokenExpiresAt: isoOrNull(record.github.accessTokenExpiresAt),
        refreshTokenExpiresAt: isoOrNull(record.github.refreshTokenExpiresAt),
      },
    });
  };
}
