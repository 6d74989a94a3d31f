// Requests that do not name one of this server's hosts for certain (request-host.ts, host-reading.ts)
// reach only the routes that answer any host (health, readiness, metrics, the webhook, assets):
// everything else, every route that could read a session or set a cookie, is refused, by the front
// door (front-door.ts) before any route runs. A host that is neither the login host nor one of
// PROTECTED_HOSTS gets 421 Misdirected Request, whose usual cause is a proxy that does not pass the
// browser's host on, hence the message; a host named in two ways that disagree gets 400 (or 421 when
// both are ours), naming the proxy setting that prevents it.
import type { IncomingMessage } from "node:http";
import { AppError } from "../errors.js";
import type { HostRefusal, HostResolver } from "./request-host.js";
import { servesAnyHost } from "./route-table.js";

/** `loginOrigin`: PUBLIC_URL's origin, where the visitor can go instead. */
export const unknownHost = (loginOrigin: string) =>
  new AppError(
    "unknown_host",
    `This server signs people in at ${loginOrigin} and on the hosts in PROTECTED_HOSTS, not on this host. A proxy in front of it must send the host it serves in Host, or in X-Forwarded-Host from an address TRUST_PROXY trusts (nginx: proxy_set_header X-Forwarded-Host $server_name:$server_port, and Host the same).`,
    { heading: "Unknown host", next: { href: loginOrigin, label: `Go to ${loginOrigin}` } },
  );

/** Why this request, for `path`, is refused for its host; null when its host is ours or the path answers any host. */
export function hostGate(hosts: HostResolver): (request: IncomingMessage, path: string) => AppError | null {
  const loginOrigin = hosts.loginHost.origin;
  return (request, path) => {
    const { refusal } = hosts.readingOf(request);
    return !refusal || servesAnyHost(path) ? null : refusalError(refusal, loginOrigin);
  };
}

function refusalError(refusal: HostRefusal, loginOrigin: string): AppError {
  switch (refusal.kind) {
    case "unknown":
      return unknownHost(loginOrigin);
    case "ambiguous":
      return new AppError("bad_request", `This request does not name its host for certain: ${refusal.why}.`, { heading: "Bad request" });
    case "conflicting":
      return new AppError("conflicting_host", `This request names two different hosts of this server: ${refusal.why}`, {
        heading: "Misdirected request",
      });
  }
}
