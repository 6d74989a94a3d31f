// The OAuth-application endpoints on the API host, authenticated with HTTP Basic client_id:secret
// [GitHub REST docs, "OAuth authorizations"]: check (POST), reset (PATCH) and delete (DELETE) one token, and delete the
// whole grant. GitHub does not document the answer to bad Basic credentials; 401 is the emulator's choice.
import { createHash } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { notFoundBody, REST_DOCS, sendApiError } from "./api-response.js";
import { asObject, stringParam } from "./params.js";
import { apiBase, webBase } from "./request-context.js";
import type { AccessTokenRecord } from "./records.js";
import type { EmulatorState } from "./state.js";
import { sameSecret } from "./token-route.js";
import type { EmulatorClient } from "./types.js";
import { simpleUserJson } from "./user-json.js";

type TokenAction = (request: Request, response: Response, client: EmulatorClient, token: AccessTokenRecord) => void;

export function appTokenRoutes(store: EmulatorState): Router {
  const router = express.Router();
  const handle = (action: TokenAction) => (request: Request, response: Response) => withToken(store, request, response, action);

  router.post(
    "/applications/:client_id/token",
    handle((_request, response, client, token) => {
      response.status(200).json(authorizationJson(store, response, client, token));
    }),
  );

  router.patch(
    "/applications/:client_id/token",
    handle((_request, response, client, token) => {
      response.status(200).json(authorizationJson(store, response, client, store.resetAccessToken(token)));
    }),
  );

  router.delete(
    "/applications/:client_id/token",
    handle((_request, response, _client, token) => {
      store.revokeAccessToken(token);
      response.status(204).end();
    }),
  );

  router.delete(
    "/applications/:client_id/grant",
    handle((_request, response, client, token) => {
      store.revokeAuthorization(token.userId, client.clientId);
      response.status(204).end();
    }),
  );

  return router;
}

function withToken(store: EmulatorState, request: Request, response: Response, action: TokenAction): void {
  const client = basicAuthClient(store, request.get("authorization"));
  if (!client) {
    sendApiError(response, 401, { message: "Requires authentication", documentation_url: REST_DOCS, status: "401" });
    return;
  }
  if (request.params.client_id !== client.clientId) {
    sendApiError(response, 404, notFoundBody());
    return;
  }
  const accessToken = stringParam(asObject(request.body), "access_token");
  if (accessToken === undefined) {
    sendApiError(response, 422, {
      message: 'Invalid request.\n\n"access_token" wasn\'t supplied.',
      documentation_url: REST_DOCS,
      status: "422",
    });
    return;
  }
  const token = store.liveAccessToken(accessToken);
  if (!token || token.clientId !== client.clientId) {
    sendApiError(response, 404, notFoundBody());
    return;
  }
  action(request, response, client, token);
}

function basicAuthClient(store: EmulatorState, header: string | undefined): EmulatorClient | undefined {
  const encoded = /^basic\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const client = store.client(decoded.slice(0, colon));
  return client && sameSecret(decoded.slice(colon + 1), client.clientSecret) ? client : undefined;
}

/** GitHub's "Authorization" object (rest-api-description model `authorization`). */
function authorizationJson(
  store: EmulatorState,
  response: Response,
  client: EmulatorClient,
  token: AccessTokenRecord,
): Record<string, unknown> {
  const user = store.userById(token.userId);
  const bases = { web: webBase(response), api: apiBase(response) };
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    id: token.id,
    url: `${bases.api}/authorizations/${token.id}`,
    scopes: client.type === "oauth-app" ? token.scopes : [],
    token: token.token,
    token_last_eight: token.token.slice(-8),
    hashed_token: createHash("sha256").update(token.token).digest("hex"),
    app: { client_id: client.clientId, name: client.name, url: `${bases.web}/apps/${encodeURIComponent(client.name)}` },
    note: null,
    note_url: null,
    updated_at: iso(token.createdAt),
    created_at: iso(token.createdAt),
    fingerprint: null,
    expires_at: token.expiresAt === null ? null : iso(token.expiresAt),
    user: user ? simpleUserJson(user, bases) : null,
    installation: null,
  };
}
