// One sign-in for many hosts (SPEC §6), as three steps a browser walks through:
//   1. GET /auth/github on a protected host → start(): bind the attempt to this browser there and
//      send it to the login host with a sealed request (handoff-tickets.ts).
//   2. GET /auth/handoff/start on the login host → issue(): signed in there, a ticket for that
//      session goes back to the protected host's /auth/handoff; signed out, the browser signs in
//      with GitHub first and comes back to this step (so single sign-on costs GitHub nothing).
//      `prompt=select_account` ("use another account", e.g. from a refusal page) signs in with
//      GitHub's account picker first even when signed in, and is dropped on the way back, so the
//      second visit hands the new session over instead of asking GitHub again.
//   3. GET /auth/handoff on the protected host → redeem(): the ticket, used once, gives the host its
//      own cookie for the sign-in's session. One session entry serves every host the sign-in
//      reached, so they share one refresh, one revalidation, and one ending.
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { HostTable, KnownHost } from "../config/host-table.js";
import { AppError } from "../errors.js";
import type { AuthorizePrompt } from "../github/authorize-url.js";
import type { OneTimeMarker } from "../store/one-time-marker.js";
import type { SessionEntries } from "../store/session-entries.js";
import { HandoffTickets, TICKET_LIFETIME_MS } from "./handoff-tickets.js";
import { safeReturnTo } from "./return-to.js";

/** Longer paths come back as "/": the request, sealed, must still fit in the sign-in's own returnTo. */
export const MAX_PROTECTED_RETURN_TO = 1024;
export const HANDOFF_START_PATH = "/auth/handoff/start";
export const HANDOFF_PATH = "/auth/handoff";

export const invalidHandoff = (reason: string) =>
  new AppError(
    "invalid_handoff",
    "This sign-in link is not valid here: it was already used, is more than a minute old, or was started in another browser. Please sign in again.",
    { heading: "Sign-in link expired or invalid", cause: new Error(`invalid handoff: ${reason}`) },
  );

/** `signInFirst`: where the GitHub sign-in comes back to, `forHost` the protected host it is for. */
export type IssueOutcome = { ticketUrl: string } | { signInFirst: string; forHost: string; prompt: AuthorizePrompt | null };

export interface HandoffFlowDependencies {
  config: Config;
  clock: Clock;
  hosts: HostTable;
  tickets: HandoffTickets;
  oneTimeMarker: OneTimeMarker;
  entries: SessionEntries;
}

export function createHandoffFlow(deps: HandoffFlowDependencies) {
  const { config, clock, hosts, tickets } = deps;

  function start(host: KnownHost, requestedReturnTo: unknown, currentBinding: string | undefined, prompt: AuthorizePrompt | null = null) {
    const path = safeReturnTo(requestedReturnTo, host.origin);
    const returnTo = path.length <= MAX_PROTECTED_RETURN_TO ? path : "/";
    const { request, binding } = tickets.request(host.host, returnTo, clock.now(), currentBinding);
    const asked = prompt ? `&prompt=${prompt}` : "";
    return { location: `${config.publicUrl}${HANDOFF_START_PATH}?request=${request}${asked}`, binding };
  }

  /**
   * `signedInSessionId`: the login host's session to hand over; null when the browser is signed
   * out there, may not use it, or asked for GitHub's account picker (`prompt`, kept for GitHub).
   */
  function issue(sealedRequest: unknown, signedInSessionId: string | null, prompt: AuthorizePrompt | null = null): IssueOutcome {
    const now = clock.now();
    const request = tickets.openRequest(sealedRequest, now);
    if (!request) throw invalidHandoff("the request does not open or is too old");
    // PROTECTED_HOSTS may have changed since the request was made.
    const host = hosts.lookup(request.host);
    if (!host || host.login) throw invalidHandoff(`${request.host} is not a protected host`);
    if (signedInSessionId === null)
      return { signInFirst: `${HANDOFF_START_PATH}?request=${sealedRequest as string}`, forHost: host.host, prompt };
    return { ticketUrl: `${host.origin}${HANDOFF_PATH}?ticket=${tickets.ticket(request, signedInSessionId, now)}` };
  }

  async function redeem(sealedTicket: unknown, host: KnownHost, binding: string | undefined) {
    const ticket = tickets.openTicket(sealedTicket, host.host, binding, clock.now());
    if (!ticket) throw invalidHandoff("the ticket does not open, is too old, or is for another host or browser");
    if (!(await deps.oneTimeMarker.claim(`handoff:${ticket.nonce}`, TICKET_LIFETIME_MS * 2)))
      throw invalidHandoff("the ticket was used already");
    const found = await deps.entries.readWithExpiry(ticket.sessionId);
    const record = found?.entry.data.auth;
    if (!found || !record) throw invalidHandoff("the session it hands over has ended");
    const user = { id: record.user.id, login: record.user.login };
    return { sessionId: ticket.sessionId, user, returnTo: ticket.returnTo, expiresInMs: found.expiresInMs };
  }

  return { start, issue, redeem };
}

export type HandoffFlow = ReturnType<typeof createHandoffFlow>;

/**
 * Where the login host sends a browser whose sign-in ends on `returnTo`: a local path as is; an
 * absolute URL on a protected host (return-to.ts) to that host's own sign-in, which is handed the
 * login host's session at once.
 */
export function destinationOf(returnTo: string): string {
  if (returnTo.startsWith("/")) return returnTo;
  const url = new URL(returnTo);
  return `${url.origin}/auth/github?returnTo=${encodeURIComponent(`${url.pathname}${url.search}${url.hash}`)}`;
}
