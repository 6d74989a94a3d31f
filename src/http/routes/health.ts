// GET /healthz (the process runs) and GET /readyz (it can serve: the session store answers).
import { Router } from "express";

export function healthRoutes(checkReady: () => Promise<boolean>): Router {
  const router = Router();
  router.get("/healthz", (_request, response) => {
    response.json({ status: "ok" });
  });
  router.get("/readyz", async (_request, response) => {
    const ready = await checkReady().catch(() => false);
    if (ready) response.json({ status: "ready" });
    else response.status(503).json({ error: "not_ready", message: "The session store does not answer." });
  });
  return router;
}
