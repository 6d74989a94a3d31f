// POST /webhooks/github: GitHub tells us a user revoked the GitHub App's authorization
// (github_app_authorization / revoked); every session of that user whose token GitHub no longer
// honours ends, on every instance (auth/revocation-check.ts: a replayed delivery ends nothing, and
// replays within a minute cost nothing). Other events are acknowledged and ignored.
// Anyone can send to this address, so nothing is read before it is needed: without
// GITHUB_WEBHOOK_SECRET the route answers 404 unread, and a body over 1 MB gets 413 from its
// Content-Length, or when a chunked one reaches 1 MB. Both close the connection, so the rest of a
// huge body is not read (and discarded) on a kept-alive socket.
import type { RequestHandler, Response } from "express";
import type { RevocationCheck } from "../../auth/revocation-check.js";
import type { Config } from "../../config/config.js";
import { AppError, badRequest, notFound } from "../../errors.js";
import { isValidWebhookSignature } from "../../github/webhook-signature.js";
import { readBodyUpTo } from "../bounded-body.js";

const MAX_PAYLOAD_BYTES = 1024 * 1024;

const payloadTooLarge = () => new AppError("payload_too_large", "The payload is larger than 1 MB.", { heading: "Request too large" });

export function webhook(config: Config, revocations: RevocationCheck): RequestHandler {
  return async (request, response) => {
    const secret = config.webhookSecret;
    if (secret === null) throw closingAfter(response, notFound());
    if (Number(request.get("content-length") ?? 0) > MAX_PAYLOAD_BYTES) throw closingAfter(response, payloadTooLarge());
    // A chunked body declares no length: it is cut off where it passes the limit.
    const rawBody = await readBodyUpTo(request, MAX_PAYLOAD_BYTES);
    if (rawBody === null) throw closingAfter(response, payloadTooLarge());
    if (!isValidWebhookSignature(secret, rawBody, request.get("x-hub-signature-256"))) {
      throw new AppError("bad_signature", "The X-Hub-Signature-256 header does not match this payload.");
    }
    if (request.get("x-github-event") === "github_app_authorization") {
      const userId = revokedUserId(rawBody);
      if (userId !== null) await revocations.handleRevocation(userId);
    }
    response.status(202).json({ status: "accepted" });
  };
}

/** The answer closes the connection: Node would otherwise read the rest of the body to keep it alive. */
function closingAfter<T>(response: Response, error: T): T {
  response.setHeader("Connection", "close");
  return error;
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
