// The host a request is for (SPEC §6), read once per request by readHost (host-reading.ts): `Host`,
// or `X-Forwarded-Host` when TRUST_PROXY trusts the sender (as Express judges it), and refused when
// the request does not name one host of ours for certain. The read paths answered before Express
// (read-paths-first.ts) read it with the same function. A request for no host of ours never gets a
// cookie: the host gate (host-gate.ts) stops it before any route that could set one.
import type { IncomingMessage } from "node:http";
import type { Request } from "express";
import type { Config } from "../config/config.js";
import { createHostTable, type HostTable, type KnownHost } from "../config/host-table.js";
import { readHost, type HostReading, type ProxyTrust } from "./host-reading.js";

export type { HostReading, HostRefusal, ProxyTrust } from "./host-reading.js";
export type RequestHost = KnownHost;

export interface HostResolver extends HostTable {
  /** The request's host when it is the login host or a protected host, named for certain; null otherwise. */
  of(request: Request): RequestHost | null;
  /** The request's host, or why it has none of ours (what the host gate answers). */
  readingOf(request: Request): HostReading;
  /** The same reading for a request Express has not seen (read-paths-first.ts), with Express's compiled TRUST_PROXY. */
  read(request: IncomingMessage, trust: ProxyTrust): HostReading;
}

export function createHostResolver(config: Config): HostResolver {
  const table = createHostTable(config.publicUrl, config.protectedHosts);
  const readings = new WeakMap<Request, HostReading>();
  const readingOf = (request: Request) => {
    let reading = readings.get(request);
    if (reading === undefined) {
      // The app's compiled "trust proxy fn": the very function req.ip and req.protocol use.
      reading = readHost(table, request, request.app.get("trust proxy fn") as ProxyTrust);
      readings.set(request, reading);
    }
    return reading;
  };
  return {
    ...table,
    of: (request) => readingOf(request).host,
    readingOf,
    read: (request, trust) => readHost(table, request, trust),
  };
}
