// Counts every answered request and its latency by route pattern and status. Requests no route
// matched are counted under "unmatched": labelling them by path would let anyone who sends
// random URLs create unbounded series.
import type { RequestHandler } from "express";
import { routePattern } from "../http/route-label.js";
import type { Metrics } from "./metrics.js";

export function countHttpRequests(metrics: Metrics): RequestHandler {
  return (request, response, next) => {
    const startedAt = process.hrtime.bigint();
    response.once("finish", () => {
      const labels = { method: request.method, route: routePattern(request) ?? "unmatched", status: String(response.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - startedAt) / 1e9);
    });
    next();
  };
}
