import type { Request } from "express";

/** API callers get JSON: any /api/* path, or a client that prefers JSON over HTML (SPEC §3). */
export function wantsJson(request: Request): boolean {
  return request.path.startsWith("/api/") || request.accepts(["html", "json"]) === "json";
}
