// PROTECTED_HOSTS (SPEC §6): the other hosts this server signs people into, each with its own
// host-only cookie. An entry is an exact host (`app.example.com`, `app.example.com:8443`) or a
// wildcard of exactly one label (`*.tools.example.com` is `a.tools.example.com`, never
// `a.b.tools.example.com` nor `tools.example.com`). There is no way to name a bare parent domain:
// that is the cookie-on-the-parent design this server exists to avoid. The scheme is PUBLIC_URL's,
// so a port is the only thing besides the name; no port means the scheme's default one.
import { domainToASCII } from "node:url";
import { splitList } from "./lists.js";

export interface ProtectedHost {
  /** The entry as configured, lowercased (for messages and the documentation's examples). */
  entry: string;
  /** For a wildcard, the parent the one label sits under ("tools.example.com"); else the host name. */
  hostname: string;
  wildcard: boolean;
  /** The port requests for it arrive on (the scheme's default when the entry names none). */
  port: number;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The scheme's port when a URL or Host header names none. */
export function defaultPort(protocol: string): number {
  return protocol === "https:" ? 443 : 80;
}

export function readProtectedHosts(text: string | undefined, publicUrl: string, errors: string[]): ProtectedHost[] {
  const url = new URL(publicUrl);
  const hosts: ProtectedHost[] = [];
  for (const entry of splitList(text)) {
    const parsed = parseEntry(entry.toLowerCase(), defaultPort(url.protocol));
    if (typeof parsed === "string") errors.push(`PROTECTED_HOSTS: "${entry}" ${parsed}`);
    else if (!parsed.wildcard && parsed.hostname === url.hostname && parsed.port === portOf(url)) {
      errors.push(`PROTECTED_HOSTS: "${entry}" is PUBLIC_URL's own host, the login host; list only the other hosts`);
    } else hosts.push(parsed);
  }
  return hosts;
}

/** In production an http: PUBLIC_URL is for loopback only (SPEC §1), so every protected host must be loopback too. */
export function requireLoopbackOverHttp(hosts: ProtectedHost[], publicUrl: string, production: boolean, errors: string[]): void {
  if (!production || new URL(publicUrl).protocol !== "http:") return;
  const exposed = hosts.filter((host) => !isLoopback(host));
  if (exposed.length > 0) {
    errors.push(
      `PROTECTED_HOSTS: ${exposed.map((host) => host.entry).join(", ")} would be served over http:// in production (PUBLIC_URL is http://); only loopback hosts may be`,
    );
  }
}

function parseEntry(entry: string, fallbackPort: number): ProtectedHost | string {
  if (/[/\\@?#\s]|:\/\//.test(entry))
    return "must be a host with an optional port, without a scheme, path or user (e.g. app.example.com or app.example.com:8443)";
  const match = /^(\*\.)?([^:[\]]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/.exec(entry);
  if (!match) return "is not a host name with an optional port";
  const [, star, name, portText] = match;
  const port = portText === undefined ? fallbackPort : Number(portText);
  if (port < 1 || port > 65535) return "has a port outside 1-65535";
  const problem = star ? wildcardProblem(name!) : hostProblem(name!);
  return problem ?? { entry, hostname: name!, wildcard: Boolean(star), port };
}

function hostProblem(name: string): string | null {
  if (name.startsWith("[")) return null;
  if (IPV4.test(name)) return name.split(".").every((part) => Number(part) <= 255) ? null : "is not a valid IPv4 address";
  return namingProblem(name);
}

function wildcardProblem(parent: string): string | null {
  if (parent.startsWith("[") || IPV4.test(parent)) return "is a wildcard over an IP address; only host names take a wildcard";
  // Two labels at least under the star: "*.com" would hand a cookie to any host someone points at
  // this server. "*.localhost" stays on the machine (SPEC §2 counts it as loopback).
  if (!parent.includes(".") && parent !== "localhost") return "is a wildcard over a top-level domain; name the domain under it";
  return namingProblem(parent);
}

function namingProblem(name: string): string | null {
  if (name.endsWith(".")) return "ends with a dot; write the host without it";
  if (domainToASCII(name) !== name) return `is not in ASCII; write it as punycode (${domainToASCII(name) || "invalid"})`;
  return name.split(".").every((label) => LABEL.test(label)) ? null : "is not a valid host name";
}

function portOf(url: URL): number {
  return url.port === "" ? defaultPort(url.protocol) : Number(url.port);
}

function isLoopback(host: ProtectedHost): boolean {
  const { hostname } = host;
  if (hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]") return true;
  return !host.wildcard && IPV4.test(hostname) && hostname.startsWith("127.");
}
