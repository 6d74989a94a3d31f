// GET /api/me and GET /api/session: the signed-in user for programs holding the session cookie.
import { Router } from "express";
import type { CurrentProfile } from "../../auth/current-profile.js";
import type { Clock } from "../../clock.js";
import type { Config } from "../../config/config.js";
import { unauthenticated } from "../../errors.js";
import { signedInRecord } from "../session-helpers.js";

const isoOrNull = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

export function apiRoutes(config: Config, clock: Clock, currentProfile: CurrentProfile): Router {
  const router = Router();

  router.get("/api/me", async (request, response) => {
    const record = await signedInRecord(request, config, clock);
    if (!record) throw unauthenticated();
    response.json(await currentProfile.currentProfile(request.sessionID, record));
  });

  router.get("/api/session", async (request, response) => {
    const record = await signedInRecord(request, config, clock);
    if (!record) throw unauthenticated();
    const now = clock.now();
    const expiresAt = Math.min(now + config.session.idleTimeoutMs, record.signedInAt + config.session.maxAgeMs);
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
  });

  return router;
}
