// The host a request is for (SPEC §6), looked up once per request in the host table
// (config/host-table.ts). The name comes from `Host`, or from `X-Forwarded-Host` when TRUST_PROXY
// trusts the sender (Express's req.host decides that). A request for no host of ours never gets a
// cookie: the host gate (host-gate.ts) stops it before any route that could set one.
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
