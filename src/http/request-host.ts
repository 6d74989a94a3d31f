// The host a request is for (SPEC §6), looked up once per request in the host table
// (config/host-table.ts). The name comes from `Host`, or from `X-Forwarded-Host` when TRUST_PROXY
// trusts the sender (Express's req.host decides that). A request for no host of ours never gets a
// cookie: the host gate (host-gate.ts) stops it before any route that could set one.
import type { IncomingMessage } from "node:http";
import type { Request } from "express";
import type { Config } from "../config/config.js";
import { createHostTable, type HostTable, type KnownHost } from "../config/host-table.js";

export type RequestHost = KnownHost;

export interface HostResolver extends HostTable {
  /** The request's host when it is the login host or a protected host; null otherwise. */
  of(request: Request): RequestHost | null;
}

export function createHostResolver(config: Config): HostResolver {
  const table = createHostTable(config.publicUrl, config.protectedHosts);
  const resolved = new WeakMap<Request, RequestHost | null>();
  return {
    ...table,
    of(request) {
      let host = resolved.get(request);
      if (host === undefined) {
        host = table.lookup(request.host);
        resolved.set(request, host);
      }
      return host;
    },
  };
}

/** Whether TRUST_PROXY trusts the address at this hop: Express's compiled "trust proxy fn" setting. */
export type ProxyTrust = (address: string | undefined, hop: number) => boolean;

/**
 * The host name a request names, read exactly as Express's `req.host` reads it, for a request not
 * (yet) seen by Express (read-paths-first.ts): `X-Forwarded-Host` (its first value) when the
 * sender is a trusted proxy, `Host` otherwise.
 */
export function hostNameOf(request: IncomingMessage, trust: ProxyTrust): string | undefined {
  // Node joins a repeated X-Forwarded-Host into one string; only Set-Cookie is ever an array.
  const forwarded = request.headers["x-forwarded-host"];
  let name = typeof forwarded === "string" ? forwarded : undefined;
  if (!name || !trust(request.socket.remoteAddress, 0)) name = request.headers.host;
  else if (name.includes(",")) name = name.slice(0, name.indexOf(",")).trimEnd();
  return name || undefined;
}
