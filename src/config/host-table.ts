// Which of this server's hosts a host name is (SPEC §6): the login host (PUBLIC_URL's), one of
// PROTECTED_HOSTS, or none. Names are compared in one canonical form — lowercase, no default port.
// A name a browser would keep apart (a trailing dot makes another cookie jar) or one that is not a
// plain host name is no host of ours.
import { defaultPort, type ProtectedHost } from "./protected-hosts.js";

export interface KnownHost {
  /** Canonical `name[:port]`, the port only when it is not the scheme's default. */
  host: string;
  /** Where browsers see this host: PUBLIC_URL's scheme and this host. */
  origin: string;
  /** True on the login host, false on a protected host. */
  login: boolean;
}

export interface HostTable {
  readonly loginHost: KnownHost;
  /** The host a `Host` header (or URL authority) names, when it is the login host or a protected host. */
  lookup(hostHeader: string | undefined): KnownHost | null;
  /** The protected host an absolute URL is on (PUBLIC_URL's scheme only); null for any other URL. */
  protectedHostOf(url: URL): KnownHost | null;
}

const HOST_HEADER = /^([a-z0-9.-]{1,253}|\[[0-9a-f:.]{2,45}\])(?::(\d{1,5}))?$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function createHostTable(publicUrl: string, protectedHosts: ProtectedHost[]): HostTable {
  const url = new URL(publicUrl);
  const scheme = url.protocol;
  const schemePort = defaultPort(scheme);
  const loginHost: KnownHost = { host: url.host, origin: url.origin, login: true };
  const canonical = (name: string, port: number) => (port === schemePort ? name : `${name}:${port}`);
  const hostAt = (name: string, port: number): KnownHost => ({
    host: canonical(name, port),
    origin: `${scheme}//${canonical(name, port)}`,
    login: false,
  });
  const exact = new Map(
    protectedHosts
      .filter((entry) => !entry.wildcard)
      .map((entry) => [canonical(entry.hostname, entry.port), hostAt(entry.hostname, entry.port)]),
  );
  const wildcards = protectedHosts.filter((entry) => entry.wildcard);

  function classify(name: string, port: number): KnownHost | null {
    const host = canonical(name, port);
    if (host === loginHost.host) return loginHost;
    return exact.get(host) ?? (wildcards.some((entry) => underWildcard(name, port, entry)) ? hostAt(name, port) : null);
  }

  function lookup(hostHeader: string | undefined): KnownHost | null {
    const match = hostHeader === undefined ? null : HOST_HEADER.exec(hostHeader.toLowerCase());
    if (!match || match[1]!.endsWith(".")) return null;
    const port = match[2] === undefined ? schemePort : Number(match[2]);
    return port >= 1 && port <= 65535 ? classify(match[1]!, port) : null;
  }

  return {
    loginHost,
    lookup,
    protectedHostOf(candidate) {
      const found = candidate.protocol === scheme ? lookup(candidate.host) : null;
      return found && !found.login ? found : null;
    },
  };
}

function underWildcard(name: string, port: number, entry: ProtectedHost): boolean {
  if (port !== entry.port || !name.endsWith(`.${entry.hostname}`)) return false;
  return LABEL.test(name.slice(0, -entry.hostname.length - 1));
}
