// Which host a request is for, read from its raw headers (SPEC §6), and whether it names one for
// certain: read once per request, in front of every route (front-door.ts, through request-host.ts).
// A session cookie is signed for one host, so a request
// that could be taken for another host would let a cookie an application sees in its users'
// requests act as them there. Hence a request is refused, never guessed at, when:
// - it names its host twice: more than one `Host`, or an absolute request line (`GET http://a/`)
//   whose host is not `Host`'s — a proxy routes by one, and this server would read the other;
// - a trusted `X-Forwarded-Host` holds different hosts: a proxy appended its own to a client's
//   (Express would take the first, the client's);
// - `Host` names one of this server's hosts and a trusted `X-Forwarded-Host` another: the proxy
//   that set `Host` knew the host, so the other is a client's, passed on by a proxy that does not
//   set the header itself. One pair is let through: `/auth/check` asked at the login host for a
//   protected host, which is how Traefik's forwardAuth asks when pointed at the login host's public
//   URL. It answers only what the protected host's own /auth/check (routed to this server on every
//   protected host) answers for the same cookie.
// `X-Forwarded-Host` counts only from a sender TRUST_PROXY trusts, judged by the one function
// compiled from it here, which Express is given too (for req.ip, the rate limits' client address).
import type { IncomingMessage } from "node:http";
import { compile as compileAddresses } from "proxy-addr";
import type { HostTable, KnownHost } from "../config/host-table.js";
import { ROUTES } from "./route-table.js";

/** Whether TRUST_PROXY trusts the address at this hop (0: the sender itself). */
export type ProxyTrust = (address: string | undefined, hop: number) => boolean;

/**
 * TRUST_PROXY (config.trustProxy) compiled the way Express compiles its `trust proxy` setting:
 * everyone, the first `n` hops, or these addresses, subnets and keywords (proxy-addr, which Express
 * uses); false trusts nobody.
 */
export function compileProxyTrust(setting: boolean | number | string[]): ProxyTrust {
  if (setting === true) return () => true;
  if (typeof setting === "number") return (_address, hop) => hop < setting;
  const trusted = compileAddresses(setting === false ? [] : setting);
  return (address, hop) => address !== undefined && trusted(address, hop);
}

export type HostRefusal =
  /** Not the login host nor a protected host (or no host at all). */
  | { kind: "unknown" }
  /** The request names its host in two ways that disagree, or in a list (400). */
  | { kind: "ambiguous"; why: string }
  /** `Host` and a trusted `X-Forwarded-Host` name two different hosts of this server (421). */
  | { kind: "conflicting"; why: string };

export type HostReading = { host: KnownHost; refusal?: undefined } | { host: null; refusal: HostRefusal };

const UNKNOWN: HostReading = { host: null, refusal: { kind: "unknown" } };
const ABSOLUTE_FORM = /^[a-z][a-z\d+.-]*:\/\//i;

export function readHost(hosts: HostTable, request: IncomingMessage, trust: ProxyTrust): HostReading {
  const hostHeader = request.headers.host;
  const url = request.url ?? "";
  if (hostHeader !== undefined && repeatsHost(request.rawHeaders)) return ambiguous("it has more than one Host header");
  if (url[0] !== "/" && ABSOLUTE_FORM.test(url) && !sameAuthority(url, hostHeader)) {
    return ambiguous("its request line names another host than its Host header");
  }
  const forwarded = trust(request.socket.remoteAddress, 0) ? forwardedHost(request.headers["x-forwarded-host"]) : undefined;
  if (forwarded === undefined) return found(hosts.lookup(hostHeader));
  if (forwarded === null)
    return ambiguous("its X-Forwarded-Host holds more than one host (a proxy added its own to the one the client sent)");
  const named = hosts.lookup(forwarded);
  if (!named) return UNKNOWN;
  // Behind the documented proxy configurations both headers are the same text: one lookup (this runs on every /auth/check).
  const own = hostHeader === forwarded ? named : hosts.lookup(hostHeader);
  if (own && own.host !== named.host && !(own.login && pathOf(url) === ROUTES.authCheck.path)) {
    return {
      host: null,
      refusal: {
        kind: "conflicting",
        why: `Host names ${own.host} but X-Forwarded-Host names ${named.host}. The proxy in front must set X-Forwarded-Host itself, to the host it serves, replacing whatever the client sent.`,
      },
    };
  }
  return { host: named };
}

const found = (host: KnownHost | null): HostReading => (host ? { host } : UNKNOWN);

const ambiguous = (why: string): HostReading => ({ host: null, refusal: { kind: "ambiguous", why } });

/**
 * The one host a trusted X-Forwarded-Host names; undefined when it names none (absent or empty,
 * as Express reads it); null when it is a list of different hosts. Node joins a repeated header
 * into one comma-separated string, so a repeated header is a list too. The same host repeated (two
 * proxies, each appending the host it saw) is that host.
 */
function forwardedHost(header: string | string[] | undefined): string | null | undefined {
  if (typeof header !== "string" || header === "") return undefined;
  if (!header.includes(",")) return header;
  const values = header
    .split(",")
    .map((value) => value.trim())
    .filter((value) => value !== "");
  if (values.length === 0) return undefined;
  const first = values[0]!.toLowerCase();
  return values.every((value) => value.toLowerCase() === first) ? values[0]! : null;
}

/** Whether the raw header list (name, value, name, value…) has more than one Host (node:http keeps the first). */
function repeatsHost(rawHeaders: string[]): boolean {
  let seen = false;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length !== 4 || name.toLowerCase() !== "host") continue;
    if (seen) return true;
    seen = true;
  }
  return false;
}

/** Whether an absolute-form request target's authority is the Host header's, both read as URLs read them (case, default port). */
function sameAuthority(target: string, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  try {
    const url = new URL(target);
    return url.host === new URL(`${url.protocol}//${hostHeader}`).host && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

function pathOf(url: string): string {
  const queryStart = url.indexOf("?");
  return queryStart === -1 ? url : url.slice(0, queryStart);
}
