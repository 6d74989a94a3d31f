// The host a request is for (SPEC §6), read once per request by readHost (host-reading.ts): `Host`,
// or `X-Forwarded-Host` when TRUST_PROXY trusts the sender, and refused when the request does not
// name one host of ours for certain. The front door (front-door.ts) reads it first, for every
// request, and refuses there; every later question about the same request is answered from that
// reading. A request for no host of ours never gets a cookie: it never reaches a route that could
// set one.
import type { IncomingMessage } from "node:http";
import type { Config } from "../config/config.js";
import { createHostTable, type HostTable, type KnownHost } from "../config/host-table.js";
import { compileProxyTrust, readHost, type HostReading, type ProxyTrust } from "./host-reading.js";

export type { HostReading, HostRefusal, ProxyTrust } from "./host-reading.js";
export type RequestHost = KnownHost;

export interface HostResolver extends HostTable {
  /** TRUST_PROXY, compiled once: the host is read with it, and Express is given it (app.ts) for the client's address. */
  trust: ProxyTrust;
  /** The request's host when it is the login host or a protected host, named for certain; null otherwise. */
  of(request: IncomingMessage): RequestHost | null;
  /** The request's host, or why it has none of ours (what the front door refuses). */
  readingOf(request: IncomingMessage): HostReading;
}

/** Where a request keeps its reading: a property of its own (a WeakMap's upkeep was measured on every request). */
const READING = Symbol("hostReading");

export function createHostResolver(config: Config): HostResolver {
  const table = createHostTable(config.publicUrl, config.protectedHosts);
  const trust = compileProxyTrust(config.trustProxy);
  const readingOf = (request: IncomingMessage & { [READING]?: HostReading }) => (request[READING] ??= readHost(table, request, trust));
  return { ...table, trust, of: (request) => readingOf(request).host, readingOf };
}
