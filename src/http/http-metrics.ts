// Counts every answered request and its latency by route pattern and status. Requests no route
// matched are counted under "unmatched": labelling them by path would let anyone who sends
// random URLs create unbounded series.
import type { AnsweredRequest } from "./request-logging.js";
import type { Metrics } from "../metrics.js";

export function countHttpRequests(metrics: Metrics): (answered: AnsweredRequest) => void {
  return ({ method, routePattern, status, durationMs, finished }) => {
    if (!finished) return;
    const labels = { method, route: routePattern ?? "unmatched", status: String(status) };
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, durationMs / 1000);
  };
}
