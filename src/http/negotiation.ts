// JSON or a page: what an answer (an error's, above all) is written as. Read from the request alone,
// so any answer can ask, Express's or not.
import type { IncomingMessage } from "node:http";
import accepts from "accepts";
import { requestPath } from "./route-label.js";

/** API callers get JSON: any /api/* or /webhooks/* path, or a client that prefers JSON over HTML (SPEC §3). */
export function wantsJson(request: IncomingMessage): boolean {
  const path = requestPath(request) ?? "";
  return (
    path.startsWith("/api/") ||
    path.startsWith("/webhooks/") ||
    path.startsWith("/auth/device") ||
    accepts(request).type(["html", "json"]) === "json"
  );
}
