// Requests for a host that is neither the login host nor one of PROTECTED_HOSTS (request-host.ts)
// reach only the routes that answer any host (health, readiness, metrics, the webhook, assets):
// everything else, every route that could read a session or set a cookie, answers 421 Misdirected
// Request. The usual cause is a proxy that does not pass the browser's host on, hence the message.
import type { RequestHandler } from "express";
import { AppError } from "../errors.js";
import type { HostResolver } from "./request-host.js";
import { servesAnyHost } from "./route-table.js";

/** `loginOrigin`: PUBLIC_URL's origin, where the visitor can go instead. */
export const unknownHost = (loginOrigin: string) =>
  new AppError(
    "unknown_host",
    `This server signs people in at ${loginOrigin} and on the hosts in PROTECTED_HOSTS, not on this host. A proxy in front of it must pass the browser's Host header on (nginx: proxy_set_header Host $http_host), or send X-Forwarded-Host from an address TRUST_PROXY trusts.`,
    { heading: "Unknown host", next: { href: loginOrigin, label: `Go to ${loginOrigin}` } },
  );

export function hostGate(hosts: HostResolver): RequestHandler {
  const refusal = () => unknownHost(hosts.loginHost.origin);
  return (request, _response, next) => {
    next(hosts.of(request) || servesAnyHost(request.path) ? undefined : refusal());
  };
}
