// GET /metrics: Prometheus text. With METRICS_TOKEN set, only `Authorization: Bearer <token>` may
// read it; the comparison takes the same time whatever the guess, so the token cannot be found
// byte by byte from response times.
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Registry } from "prom-client";
import { AppError } from "../../errors.js";

export function metricsEndpoint(registry: Registry, metricsToken: string | null): RequestHandler {
  return async (request, response) => {
    if (metricsToken !== null && !isBearer(request.get("authorization"), metricsToken)) {
      response.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      throw new AppError("unauthenticated", "Metrics need an Authorization: Bearer header with METRICS_TOKEN.");
    }
    response.setHeader("Content-Type", registry.contentType);
    response.send(await registry.metrics());
  };
}

function isBearer(authorization: string | undefined, expectedToken: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? "");
  // Hashing first gives both sides one length, which timingSafeEqual requires.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return match !== null && timingSafeEqual(digest(match[1]!), digest(expectedToken));
}
