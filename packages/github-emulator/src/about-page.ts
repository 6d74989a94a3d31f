// GET / on the emulator's web host: what it is, who can sign in (and what each user belongs to),
// which applications are registered, which endpoints it answers, and a way back to the
// application(s) it signs people in to.
import express, { type Router } from "express";
import type { Eta } from "eta";
import type { Directory } from "./directory.js";
import { pageRoot, sendHtml } from "./html-page.js";
import { membershipsOf } from "./memberships-summary.js";
import { apiBase, webBase } from "./request-context.js";
import type { EmulatorState } from "./state.js";
import type { EmulatorClient, EmulatorUser } from "./types.js";

const ENDPOINTS: { route: string; purpose: string }[] = [
  { route: "GET /login/oauth/authorize", purpose: "consent page: pick a user, Authorize or Cancel" },
  {
    route: "POST /login/oauth/access_token",
    purpose: "code exchange, refresh and device-code polls (form, JSON or query; answers form, JSON or XML)",
  },
  { route: "POST /login/device/code", purpose: "device flow: a device code and a user code for a program" },
  { route: "GET /login/device", purpose: "device flow: enter the user code, pick a user, Authorize or Cancel" },
  { route: "GET /api/v3/user", purpose: "the signed-in user (ETag, If-None-Match, rate-limit headers)" },
  { route: "GET /api/v3/user/emails", purpose: "email addresses (OAuth Apps need user or user:email)" },
  { route: "GET /api/v3/user/orgs", purpose: "organisations" },
  { route: "GET /api/v3/user/memberships/orgs/{org}", purpose: "organisation membership (OAuth Apps need read:org)" },
  {
    route: "POST|PATCH|DELETE /api/v3/applications/{client_id}/token",
    purpose: "check, reset, revoke a token (HTTP Basic client credentials)",
  },
  { route: "DELETE /api/v3/applications/{client_id}/grant", purpose: "revoke the whole authorization" },
  { route: "GET /{login}", purpose: "a user's profile page (html_url)" },
  { route: "GET /avatars/u/{id}", purpose: "generated avatars (avatar_url)" },
];

export function aboutRoutes(store: EmulatorState, directory: Directory, views: Eta): Router {
  const router = express.Router();
  router.get("/", (request, response) => {
    const root = pageRoot(request);
    sendHtml(
      response,
      200,
      views.render("home", {
        root,
        webBase: webBase(response),
        apiBase: apiBase(response),
        users: store.users.map((user) => ({
          ...user,
          href: `${root}${encodeURIComponent(user.login)}`,
          note: emailNote(user),
          memberships: membershipsOf(user, directory),
        })),
        clients: store.clients.map((client) => clientSummary(client, store.lifetimes.accessTokenTtlSeconds)),
        endpoints: ENDPOINTS,
        backLinks: backLinks(store.clients),
      }),
    );
  });
  return router;
}

/** The three demo users stand for the three email cases a login server must handle. */
function emailNote(user: EmulatorUser): string {
  if (!user.emails.some((email) => email.primary && email.verified)) {
    return "No verified primary email: GitHub refuses the token (unverified_user_email), so signing in fails.";
  }
  if (user.email) return "Public email, shown by GET /user.";
  return "Private email only: GET /user says null, GET /user/emails has it.";
}

function clientSummary(client: EmulatorClient, accessTokenTtlSeconds: number): Record<string, unknown> {
  const lifetime = accessTokenTtlSeconds % 3600 === 0 ? `${accessTokenTtlSeconds / 3600} hours` : `${accessTokenTtlSeconds} seconds`;
  return {
    name: client.name,
    kind: client.type === "github-app" ? "GitHub App" : "OAuth App",
    clientId: client.clientId,
    callbackUrls: client.callbackUrls.map((callback) => callback.url),
    tokens: client.expiringTokens
      ? `expire after ${lifetime}, with a refresh token`
      : client.type === "oauth-app"
        ? "do not expire (unless the sign-in asks for offline_access)"
        : "do not expire",
  };
}

/** The home page of each application, taken from its callbacks: where a person came from. */
function backLinks(clients: EmulatorClient[]): string[] {
  const origins = clients.flatMap((client) =>
    client.callbackUrls.flatMap((callback) => {
      const url = URL.canParse(callback.url) ? new URL(callback.url) : null;
      return url && (url.protocol === "http:" || url.protocol === "https:") ? [`${url.origin}/`] : [];
    }),
  );
  return [...new Set(origins)];
}
