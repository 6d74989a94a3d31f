// A user's own sessions (SPEC §8): GET /api/sessions and DELETE /api/sessions/{id} for programs,
// and the /sessions page for people, with a sign-out button per session and one for all the others
// (forms post to /sessions/{id}/end and /sessions/end-others: a page cannot send DELETE). Ending a
// session from another device takes effect on that device's next request. Every state change is
// same-origin only.
import type { Request, RequestHandler, Response } from "express";
import type { SessionList } from "../../auth/session-list.js";
import type { Config } from "../../config/config.js";
import { notFound, unauthenticated } from "../../errors.js";
import type { AllowedSessions } from "../allowed-session.js";
import type { PageRenderer } from "../render.js";
import type { HostResolver } from "../request-host.js";
import { requireSameOrigin } from "../same-origin.js";
import { signedOutLocation } from "./home.js";
import type { SessionReader } from "../session-reader.js";

export interface SessionRouteDependencies {
  config: Config;
  allowed: AllowedSessions;
  sessions: SessionReader;
  list: SessionList;
  pages: PageRenderer;
  hosts: HostResolver;
}

export function sessionRoutes({ config, allowed, sessions, list, pages, hosts }: SessionRouteDependencies) {
  const sameOrigin = requireSameOrigin(hosts);
  const signedIn = async (request: Request, response: Response) => {
    const session = await allowed.allowed(request, response);
    if (!session) throw unauthenticated();
    return session;
  };
  /** Ends the session named in the path; the answer says whether it was the current one. */
  const endNamed = async (request: Request, response: Response) => {
    const session = await signedIn(request, response);
    const { ended, sessionId } = await list.end(session.record.user.id, String(request.params.id));
    if (!ended) throw notFound();
    const current = sessionId === session.sessionId;
    if (current) sessions.clearCookie(response);
    return { current };
  };

  const apiList: RequestHandler = async (request, response) => {
    const session = await signedIn(request, response);
    response.json(await list.list(session.record.user.id, session.sessionId));
  };
  const apiEnd: RequestHandler = async (request, response) => {
    await endNamed(request, response);
    response.status(204).end();
  };
  const page: RequestHandler = async (request, response) => {
    const session = await signedIn(request, response);
    const listed = await list.list(session.record.user.id, session.sessionId);
    pages.render(response, 200, "sessions", { title: "Your sessions", user: session.record.user, sessions: listed });
  };
  const pageEnd: RequestHandler = async (request, response) => {
    const { current } = await endNamed(request, response);
    // Ending this very session is a sign-out: it lands where every sign-out does.
    response.redirect(303, current ? signedOutLocation(config.publicUrl, hosts.of(request)) : "/sessions");
  };
  const pageEndOthers: RequestHandler = async (request, response) => {
    const session = await signedIn(request, response);
    await list.endOthers(session.record.user.id, session.sessionId);
    response.redirect(303, "/sessions");
  };
  return {
    listSessions: apiList,
    endSessionByApi: [sameOrigin, apiEnd],
    sessionsPage: page,
    endSessionByPage: [sameOrigin, pageEnd],
    endOtherSessions: [sameOrigin, pageEndOthers],
  };
}
