// POST /login/oauth/access_token. Parameters may come as a form body, a JSON body or the query
// string (all three are used by real clients; the body wins). Every answer is HTTP 200, errors too.
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Router } from "express";
import { tokenError } from "./oauth-errors.js";
import { sendOAuthAnswer } from "./oauth-response.js";
import { isMalformedParam, mergedParams, stringParam, type ParamSource } from "./params.js";
import { setTokenOutcome } from "./request-records.js";
import type { EmulatorState } from "./state.js";
import { DEVICE_CODE_GRANT, pollDeviceCode } from "./device-grant.js";
import type { DeviceAuthorizations } from "./device-authorizations.js";
import { exchangeCode, refresh, type GrantResult } from "./token-grants.js";
import type { EmulatorClient, EmulatorStats } from "./types.js";

export const TOKEN_PATH = "/login/oauth/access_token";

export function tokenRoute(store: EmulatorState, stats: EmulatorStats, devices: DeviceAuthorizations): Router {
  const router = express.Router();
  router.post(TOKEN_PATH, (request, response) => {
    const params = mergedParams(request.query, request.body);
    const result = isDeviceGrant(params) ? pollDeviceCode(store, stats, devices, params) : runGrant(store, stats, params);
    setTokenOutcome(response, result.ok ? "ok" : result.error);
    sendOAuthAnswer(request, response, result.ok ? result.fields : { ...tokenError(result.error), ...result.extra });
  });
  return router;
}

const isDeviceGrant = (params: ParamSource) =>
  !isMalformedParam(params, "grant_type") && stringParam(params, "grant_type") === DEVICE_CODE_GRANT;

function runGrant(store: EmulatorState, stats: EmulatorStats, params: ParamSource): GrantResult {
  const grantType = stringParam(params, "grant_type");
  // No grant_type means a code exchange (GitHub's documented request sends none).
  const grant = isMalformedParam(params, "grant_type")
    ? undefined
    : grantType === undefined || grantType === "authorization_code"
      ? exchangeCode
      : grantType === "refresh_token"
        ? refresh
        : undefined;
  if (!grant) return { ok: false, error: "unsupported_grant_type" };
  const client = authenticateClient(store, params);
  if (!client) return { ok: false, error: "incorrect_client_credentials" };
  return grant(store, stats, client, params);
}

/** Both client_id and client_secret are required for the web flow and for refresh. */
function authenticateClient(store: EmulatorState, params: ParamSource): EmulatorClient | undefined {
  const client = store.client(stringParam(params, "client_id"));
  const secret = stringParam(params, "client_secret");
  if (!client || secret === undefined) return undefined;
  return sameSecret(secret, client.clientSecret) ? client : undefined;
}

/** Constant-time comparison (of digests, so lengths never differ). */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
