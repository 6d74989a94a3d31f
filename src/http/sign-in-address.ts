// Where /auth/check sends a signed-out visitor (SPEC §6: forward auth keeps the page's address
// whole). The proxy names the page that was asked for in X-Forwarded-Uri (Traefik and Caddy set
// it themselves; the documented nginx configuration sets it from $request_uri), and the check answers its 401 with
// the sign-in for that page, its returnTo percent-encoded so that a query of several parameters
// comes back whole. The header is only ever a returnTo candidate: it is judged here by the same
// rules as any other returnTo (a same-origin path, or "/"), and again by /auth/github.
import type { IncomingMessage } from "node:http";
import { safeReturnTo } from "../auth/return-to.js";
import { AppError, unauthenticated } from "../errors.js";
import { SIGNED_OUT_PAGE_UNDER_AUTH, SIGNED_OUT_PATH } from "./routes/home.js";

export const FORWARDED_URI_HEADER = "x-forwarded-uri";

/** `/auth/github?returnTo=…` for the page the proxy named, or for `/` when it named none or an unsafe one. */
export function signInAddressFor(request: IncomingMessage, publicUrl: string): string {
  const page = safeReturnTo(request.headers[FORWARDED_URI_HEADER], publicUrl);
  // Just signed out, where "/" is the application: say so, rather than start a new sign-in.
  if (page === SIGNED_OUT_PATH) return SIGNED_OUT_PAGE_UNDER_AUTH;
  // A "/" may stay as it is in a query (RFC 3986 §3.4); everything else that could end or split
  // the parameter (&, #, +, =, ?, %) is encoded.
  return `/auth/github?returnTo=${encodeURIComponent(page).replaceAll("%2F", "/")}`;
}

/** The check's 401, whose page (Traefik shows it as it is) has its button lead to that sign-in. */
export function signInNeeded(signIn: string): AppError {
  const { publicMessage, heading } = unauthenticated();
  return new AppError("unauthenticated", publicMessage, {
    heading: heading ?? undefined,
    next: { href: signIn, label: "Sign in with GitHub" },
  });
}
