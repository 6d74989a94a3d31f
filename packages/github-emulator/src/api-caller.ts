// Who is calling the REST API: the token from `Authorization: token <t>` or `Bearer <t>`, and the
// user and app it belongs to. Dead, expired and unknown tokens all get 401 "Bad credentials".
import type { RequestHandler, Response } from "express";
import { badCredentialsBody, rateLimitedBody, REST_DOCS, sendApiError } from "./api-response.js";
import type { RateLimiter } from "./rate-limit.js";
import type { AccessTokenRecord } from "./records.js";
import type { EmulatorState } from "./state.js";
import type { EmulatorClient, EmulatorUser } from "./types.js";

export interface ApiCaller {
  token: AccessTokenRecord;
  user: EmulatorUser;
  client: EmulatorClient;
  /** OAuth App tokens carry scopes (and X-OAuth-Scopes); GitHub App user tokens use permissions. */
  isOAuthApp: boolean;
}

const CALLER = "emulatorApiCaller";

export function bearerToken(header: string | undefined): string | undefined {
  return /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
}

export function authenticateUser(store: EmulatorState, limiter: RateLimiter): RequestHandler {
  return (request, response, next) => {
    const header = request.get("authorization");
    if (!header) {
      sendApiError(response, 401, { message: "Requires authentication", documentation_url: REST_DOCS, status: "401" });
      return;
    }
    const token = store.liveAccessToken(bearerToken(header));
    const user = token && store.userById(token.userId);
    const client = token && store.client(token.clientId);
    if (!token || !user || !client) {
      sendApiError(response, 401, badCredentialsBody());
      return;
    }
    if (limiter.remaining(user.id) === 0) {
      limiter.setHeaders(response, user.id);
      sendApiError(response, 403, rateLimitedBody(user.id));
      return;
    }
    const caller: ApiCaller = { token, user, client, isOAuthApp: client.type === "oauth-app" };
    response.locals[CALLER] = caller;
    next();
  };
}

export function apiCaller(response: Response): ApiCaller {
  const caller = response.locals[CALLER] as ApiCaller | undefined;
  if (!caller) throw new Error("emulator: route needs authenticateUser first");
  return caller;
}
