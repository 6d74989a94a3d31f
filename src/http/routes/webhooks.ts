// POST /webhooks/github: GitHub tells us a user revoked the GitHub App's authorization
// (github_app_authorization / revoked); every session of that user whose token GitHub no longer
// honours ends, on every instance (auth/revocation-check.ts: a replayed delivery ends nothing).
// Other events are acknowledged and ignored. Enabled by GITHUB_WEBHOOK_SECRET.
import express, { type RequestHandler } from "express";
import type { RevocationCheck } from "../../auth/revocation-check.js";
import type { Config } from "../../config/config.js";
import { AppError, badRequest, notFound } from "../../errors.js";
import { isValidWebhookSignature } from "../../github/webhook-signature.js";

const MAX_PAYLOAD = "1mb";

export function webhook(config: Config, revocations: RevocationCheck): RequestHandler[] {
  return [express.raw({ type: () => true, limit: MAX_PAYLOAD }), async (request, response) => {
    const secret = config.webhookSecret;
    if (secret === null) throw notFound();
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!isValidWebhookSignature(secret, rawBody, request.get("x-hub-signature-256"))) {
      throw new AppError("bad_signature", "The X-Hub-Signature-256 header does not match this payload.");
    }
    if (request.get("x-github-event") === "github_app_authorization") {
      const userId = revokedUserId(rawBody);
      if (userId !== null) await revocations.endRevokedSessions(userId);
    }
    response.status(202).json({ status: "accepted" });
  }];
}

/** The sender's id of a `revoked` delivery; null for any other action. */
function revokedUserId(rawBody: Buffer): number | null {
  let payload: { action?: unknown; sender?: { id?: unknown } };
  try {
    payload = JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw badRequest("The payload is not JSON.");
  }
  const id = payload?.sender?.id;
  return payload?.action === "revoked" && typeof id === "number" && Number.isSafeInteger(id) ? id : null;
}
