// How every emulator page is sent, and where its links start. Pages link to the stylesheet, the
// avatars and each other by absolute path from the emulator's mount point (request.baseUrl: "" on
// its own port, "/_emulator" in demo mode), so a page works at any depth and with or without a
// trailing slash.
import type { Request, Response } from "express";

export function pageRoot(request: Request): string {
  return `${request.baseUrl}/`;
}

export function sendHtml(response: Response, status: number, html: string): void {
  // A consent page must never be framed (clickjacking) or cached (it carries state and PKCE values);
  // the other pages follow suit, there is nothing to gain from either.
  response.setHeader("X-Frame-Options", "DENY");
  response.setHeader("Cache-Control", "no-store");
  response.status(status).type("html").send(html);
}
