import type { Request } from "express";

/** API callers get JSON: any /api/* or /webhooks/* path, or a client that prefers JSON over HTML (SPEC §3). */
export function wantsJson(request: Request): boolean {
  return request.path.startsWith("/api/") || request.path.startsWith("/webhooks/") || request.path.startsWith("/auth/device") || request.accepts(["html", "json"]) === "json";
}
