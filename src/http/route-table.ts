// Every address the server answers, in one table (SPEC §3): its method and path, whether it answers
// with data or pages (or is a read path, answered without Express), and whether the sign-in rate
// limit applies. The app registers routes from it, the front door dispatches the read paths by it,
// the 405s and their Allow headers come from it, logs and metrics label requests by it, and the
// tests walk it — so a new route is one line here, and nothing else can forget it.
import type { Express, RequestHandler } from "express";
import { EMULATOR_MOUNT_PATH } from "../config/demo-mode.js";

export type RouteMethod = "GET" | "POST" | "DELETE";

export interface RouteSpec {
  method: RouteMethod;
  path: string;
  /**
   * "read": asked by programs and reverse proxies on every request (GET and HEAD), so answered by
   * the read paths on node:http (read-paths.ts), never by Express. "data": JSON for programs,
   * registered first, with the data answer's headers. "page": behind the page security headers.
   */
  answer: "read" | "data" | "page";
  /** The sign-in rate limit (AUTH_RATE_LIMIT) counts requests to it, per client address. */
  rateLimited: boolean;
  /** A failure here offers a fresh sign-in rather than the home page. */
  partOfSignIn?: boolean;
  /**
   * Answers whatever host a request names (health probes by address, GitHub's webhook): it sets no
   * cookie and reads no session. Every other route answers only the login host and PROTECTED_HOSTS.
   */
  anyHost?: boolean;
}

export const ROUTES = {
  authCheck: { method: "GET", path: "/auth/check", answer: "read", rateLimited: false },
  currentUser: { method: "GET", path: "/api/me", answer: "read", rateLimited: false },
  sessionDetails: { method: "GET", path: "/api/session", answer: "read", rateLimited: false },
  health: { method: "GET", path: "/healthz", answer: "page", rateLimited: false, anyHost: true },
  readiness: { method: "GET", path: "/readyz", answer: "page", rateLimited: false, anyHost: true },
  metrics: { method: "GET", path: "/metrics", answer: "page", rateLimited: false, anyHost: true },
  webhook: { method: "POST", path: "/webhooks/github", answer: "page", rateLimited: false, anyHost: true },
  home: { method: "GET", path: "/", answer: "page", rateLimited: false },
  signInStart: { method: "GET", path: "/auth/github", answer: "page", rateLimited: true, partOfSignIn: true },
  signInCallback: { method: "GET", path: "/auth/github/callback", answer: "page", rateLimited: true, partOfSignIn: true },
  // Never limited (SPEC §3): whoever shares the address must not be able to keep someone signed in.
  signOut: { method: "POST", path: "/auth/logout", answer: "page", rateLimited: false },
  // The signed-out page under /auth/, for one host shared by this server and an application at "/".
  signedOutPage: { method: "GET", path: "/auth/signed-out", answer: "page", rateLimited: false },
  // What a proxy shows instead of its bare 403 (nginx error_page): the refusal, with its reason.
  refusedPage: { method: "GET", path: "/auth/refused", answer: "page", rateLimited: false },
  handoffStart: { method: "GET", path: "/auth/handoff/start", answer: "page", rateLimited: true, partOfSignIn: true },
  handoffRedeem: { method: "GET", path: "/auth/handoff", answer: "page", rateLimited: true, partOfSignIn: true },
  // Device sign-in has budgets of its own, per address and in all (http/device-limits.ts).
  deviceStart: { method: "POST", path: "/auth/device", answer: "data", rateLimited: false },
  deviceToken: { method: "POST", path: "/auth/device/token", answer: "data", rateLimited: false },
  listSessions: { method: "GET", path: "/api/sessions", answer: "data", rateLimited: false },
  endSessionByApi: { method: "DELETE", path: "/api/sessions/:id", answer: "data", rateLimited: false },
  sessionsPage: { method: "GET", path: "/sessions", answer: "page", rateLimited: false },
  endSessionByPage: { method: "POST", path: "/sessions/:id/end", answer: "page", rateLimited: false },
  endOtherSessions: { method: "POST", path: "/sessions/end-others", answer: "page", rateLimited: false },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
/** The routes answered without Express (read-paths.ts). */
export type ReadPathName = { [name in RouteName]: (typeof ROUTES)[name]["answer"] extends "read" ? name : never }[RouteName];

/** Paths served by a whole mounted handler rather than one route; they label requests as "<prefix>/*". */
export const MOUNTS = {
  /** The GitHub API proxy; its methods come from GITHUB_PROXY_METHODS, and it answers its own 405s. */
  githubProxy: "/api/github",
  /** Under /auth/, which every proxy configuration routes to this server: pages on a protected host are styled too. */
  assets: "/auth/assets",
  /** Demo mode only: the built-in GitHub emulator. */
  emulator: EMULATOR_MOUNT_PATH,
} as const;

/** A handler, or a chain of them, for every route of the table Express answers. */
export type RouteHandlers = Record<Exclude<RouteName, ReadPathName>, RequestHandler | RequestHandler[]>;

export interface RegisterOptions {
  /** In front of every route of this kind (the data answer's headers). */
  before?: RequestHandler[];
  /** In front of every rate-limited route; null when AUTH_RATE_LIMIT is off. */
  rateLimit: RequestHandler | null;
}

/** Registers the table's routes of one kind, in table order. GET routes answer HEAD too (Express). */
export function registerRoutes(
  app: Express,
  answer: Exclude<RouteSpec["answer"], "read">,
  handlers: RouteHandlers,
  options: RegisterOptions,
): void {
  for (const name of Object.keys(ROUTES) as RouteName[]) {
    const route: RouteSpec = ROUTES[name];
    if (route.answer !== answer) continue;
    const limit = route.rateLimited && options.rateLimit ? [options.rateLimit] : [];
    const chain = [...(options.before ?? []), ...limit, ...[handlers[name as keyof RouteHandlers]].flat()];
    if (route.method === "GET") app.get(route.path, ...chain);
    else if (route.method === "POST") app.post(route.path, ...chain);
    else app.delete(route.path, ...chain);
  }
}

/** The methods each path of the table accepts, as an Allow header lists them. */
export function allowedMethodsByPath(): Map<string, string[]> {
  const allowed = new Map<string, string[]>();
  for (const route of Object.values(ROUTES) as RouteSpec[]) {
    const methods = route.method === "GET" ? ["GET", "HEAD"] : [route.method];
    allowed.set(route.path, [...(allowed.get(route.path) ?? []), ...methods]);
  }
  return allowed;
}

/** The route pattern for a request that no route matched but a mount serves ("/api/github/*"), or null. */
export function mountPattern(path: string): string | null {
  const prefix = Object.values(MOUNTS).find((mount) => path === mount || path.startsWith(`${mount}/`));
  return prefix ? `${prefix}/*` : null;
}

const ANY_HOST_PATHS = new Set((Object.values(ROUTES) as RouteSpec[]).filter((route) => route.anyHost).map((route) => route.path));
const ANY_HOST_MOUNTS = [MOUNTS.assets, MOUNTS.emulator];

/** Whether this path answers requests for any host (RouteSpec.anyHost, the assets, the demo emulator). */
export function servesAnyHost(path: string): boolean {
  return ANY_HOST_PATHS.has(path) || ANY_HOST_MOUNTS.some((mount) => path === mount || path.startsWith(`${mount}/`));
}

/** Whether a failure at this path belongs to signing in (its error page offers to sign in again). */
export function isPartOfSignIn(path: string): boolean {
  return (Object.values(ROUTES) as RouteSpec[]).some(
    (route) => route.partOfSignIn && (path === route.path || path.startsWith(`${route.path}/`)),
  );
}
