// What travels between a protected host and the login host when a sign-in is handed over (SPEC §6),
// sealed with TOKEN_ENCRYPTION_KEY so that neither can be read or made by anyone but this server.
//
// - The request: made at the protected host by GET /auth/github there, taken to the login host's
//   /auth/handoff/start. It names the host, the path to come back to, and carries the tag of that
//   host's browser binding (browser-binding.ts), at most ATTEMPT_LIFETIME_MS old.
// - The ticket: made by the login host for its signed-in session, redeemed once at that host's
//   /auth/handoff within 60 s, and only by the browser whose binding the request was tagged with:
//   an attacker's ticket is useless in a victim's browser (no login CSRF), and a ticket for one host
//   is refused on every other.
import type { Sealer } from "../sealer.js";
import { bindingOrNew, bindingTag, newNonce, tagMatches } from "./browser-binding.js";
import { ATTEMPT_LIFETIME_MS } from "./sign-in-attempt.js";

export const TICKET_LIFETIME_MS = 60_000;
const REQUEST_CONTEXT = "handoff-request";
const TICKET_CONTEXT = "handoff-ticket";
const MAX_SEALED_LENGTH = 4096;

export interface HandoffRequest {
  nonce: string;
  createdAt: number;
  /** The protected host, canonical (config/host-table.ts). */
  host: string;
  returnTo: string;
  tag: string;
}

export interface RedeemedTicket {
  nonce: string;
  sessionId: string;
  returnTo: string;
}

export class HandoffTickets {
  constructor(private readonly sealer: Sealer) {}

  /** At the protected host: the sealed request, and the browser binding to (re)set there. */
  request(host: string, returnTo: string, now: number, currentBinding: string | undefined): { request: string; binding: string } {
    const binding = bindingOrNew(currentBinding);
    const nonce = newNonce();
    const fields = [nonce, String(now), host, returnTo, bindingTag(binding, nonce)];
    return { request: this.sealer.seal(JSON.stringify(fields), REQUEST_CONTEXT), binding };
  }

  /** At the login host: the request, when it opens and is not too old. */
  openRequest(sealed: unknown, now: number): HandoffRequest | null {
    const fields = this.open(sealed, REQUEST_CONTEXT, 5);
    if (!fields) return null;
    const [nonce, createdAt, host, returnTo, tag] = fields as [string, string, string, string, string];
    const request = { nonce, createdAt: Number(createdAt), host, returnTo, tag };
    return isFresh(request.createdAt, now, ATTEMPT_LIFETIME_MS) ? request : null;
  }

  /** At the login host: a ticket handing `sessionId` to the request's host and browser. */
  ticket(request: HandoffRequest, sessionId: string, now: number): string {
    const fields = [request.nonce, String(now), request.host, request.returnTo, request.tag, sessionId];
    return this.sealer.seal(JSON.stringify(fields), TICKET_CONTEXT);
  }

  /** At the protected host: the ticket's session, when it opens, is fresh, and was made for this host and this browser. */
  openTicket(sealed: unknown, host: string, binding: string | undefined, now: number): RedeemedTicket | null {
    const fields = this.open(sealed, TICKET_CONTEXT, 6);
    if (!fields) return null;
    const [nonce, issuedAt, ticketHost, returnTo, tag, sessionId] = fields as [string, string, string, string, string, string];
    if (ticketHost !== host || !isFresh(Number(issuedAt), now, TICKET_LIFETIME_MS) || !tagMatches(tag, binding, nonce)) return null;
    return { nonce, sessionId, returnTo };
  }

  private open(sealed: unknown, context: string, count: number): string[] | null {
    if (typeof sealed !== "string" || sealed.length > MAX_SEALED_LENGTH) return null;
    const fields = this.sealer.openJson(sealed, context);
    return Array.isArray(fields) && fields.length === count && fields.every((field) => typeof field === "string" && field !== "")
      ? fields
      : null;
  }
}

/** Instances' clocks may differ by a little: a ticket made "in the future" by up to this much is fine. */
const CLOCK_SKEW_MS = 5_000;

function isFresh(madeAt: number, now: number, lifetimeMs: number): boolean {
  return Number.isFinite(madeAt) && madeAt - now <= CLOCK_SKEW_MS && now - madeAt <= lifetimeMs;
}
