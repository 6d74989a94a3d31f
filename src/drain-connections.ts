// Stopping the HTTP server without cutting anyone off: new connections are refused at once,
// requests already in flight finish, and their keep-alive connections are closed as soon as their
// answer is sent (each such answer says `Connection: close`), so the drain ends when the last
// in-flight request does instead of when idle clients time out.
import type { Server, ServerResponse } from "node:http";

/** How long in-flight requests may take to finish after SIGTERM/SIGINT: well inside the time the
 * supervisor allows before SIGKILL (stop_grace_period 30 s in docker-compose.yml; 30 s in Kubernetes). */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface InFlightRequests {
  /** Resolves true once every request has finished, false when graceMs ran out first (the rest are cut). */
  drain(graceMs: number): Promise<boolean>;
}

/** Call right after listen(), so every request is seen. */
export function trackInFlightRequests(server: Server): InFlightRequests {
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const closeConnectionAfter = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader("Connection", "close");
    // An answer already streaming keeps its connection; close it once it is idle.
    response.once("close", () => setImmediate(() => server.closeIdleConnections()));
  };

  server.on("request", (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.once("close", () => inFlight.delete(response));
    // A keep-alive connection may bring one more request after the drain began.
    if (draining) closeConnectionAfter(response);
  });

  return {
    drain(graceMs) {
      draining = true;
      return new Promise<boolean>((resolve) => {
        const deadline = setTimeout(() => {
          server.closeAllConnections();
          resolve(false);
        }, graceMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve(true);
        });
        for (const response of inFlight) closeConnectionAfter(response);
        server.closeIdleConnections();
      });
    },
  };
}
