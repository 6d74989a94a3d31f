// X-Hub-Signature-256 = "sha256=" + hex(HMAC-SHA256(webhook secret, raw body)). Compared in
// constant time, so the answer's timing tells an attacker nothing about the right signature.
import { createHmac, timingSafeEqual } from "node:crypto";

export function isValidWebhookSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (typeof header !== "string" || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(header.slice("sha256=".length), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
