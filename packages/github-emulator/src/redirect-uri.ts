// Which redirect_uri values GitHub accepts for a client [docs: authorizing-oauth-apps, "Redirect URLs";
// data/reusables/apps/redirect-uri-wildcard-matching.md]:
// - OAuth Apps (always "wildcard" matching): same scheme, same host or a subdomain of it, the same
//   port, and a path equal to the callback path or below it. For loopback callbacks the port may
//   differ, so native apps can listen on any free port.
// - GitHub Apps: exact match with one of the (up to 10) callbacks, unless that callback has the
//   wildcard toggle on, in which case the OAuth App rules apply to it.
// - Omitted redirect_uri: the first registered callback.
import type { EmulatorCallbackUrl, EmulatorClient } from "./types.js";

/** RFC 8252 loopback hosts. GitHub documents 127.0.0.1 and ::1; treating localhost the same is UNCONFIRMED. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** The redirect URI to use, or null when `requested` matches no registered callback. */
export function resolveRedirectUri(client: EmulatorClient, requested: string | undefined): string | null {
  const first = client.callbackUrls[0];
  if (!first) return null;
  if (requested === undefined) return first.url;
  const matches = client.callbackUrls.some((callback) =>
    client.type === "oauth-app" || callback.wildcard ? matchesLoosely(requested, callback.url) : matchesExactly(requested, callback),
  );
  return matches ? requested : null;
}

function matchesExactly(requested: string, callback: EmulatorCallbackUrl): boolean {
  const candidate = parse(requested);
  const registered = parse(callback.url);
  return candidate !== null && registered !== null && candidate.href === registered.href;
}

export function matchesLoosely(requested: string, callbackUrl: string): boolean {
  const candidate = parse(requested);
  const registered = parse(callbackUrl);
  if (!candidate || !registered) return false;
  if (candidate.username || candidate.password || candidate.hash) return false;
  if (candidate.protocol !== registered.protocol) return false;
  const sameHost = candidate.hostname === registered.hostname;
  if (!sameHost && !candidate.hostname.endsWith(`.${registered.hostname}`)) return false;
  const loopback = sameHost && LOOPBACK_HOSTS.has(registered.hostname);
  if (!loopback && candidate.port !== registered.port) return false;
  return isSameOrBelow(candidate.pathname, registered.pathname);
}

/** `/path` accepts `/path` and `/path/sub`, never `/pathology` or `/`. (URL() already resolved `..`.) */
function isSameOrBelow(path: string, base: string): boolean {
  if (path === base) return true;
  const prefix = base.endsWith("/") ? base : `${base}/`;
  return path.startsWith(prefix);
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Appends query parameters the way GitHub does: `?` or `&` depending on what the URI already has. */
export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value);
  const separator = !uri.includes("?") ? "?" : uri.endsWith("?") || uri.endsWith("&") ? "" : "&";
  return `${uri}${separator}${query.toString()}`;
}
