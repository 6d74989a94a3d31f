// GET /healthz (the process runs) and GET /readyz (it can serve: the session store answers).
import type { RequestHandler } from "express";
import type { ErrorCode } from "../../error-codes.js";

/** GET /healthz: the process runs. */
export const health: RequestHandler = (_request, response) => {
  response.json({ status: "ok" });
};

/** GET /readyz: the session store answers. */
export function readiness(checkReady: () => Promise<boolean>): RequestHandler {
  return async (_request, response) => {
    const ready = await checkReady().catch(() => false);
    if (ready) response.json({ status: "ready" });
    else response.status(503).json({ error: "not_ready" satisfies ErrorCode, message: "The session store does not answer." });
  };
}
