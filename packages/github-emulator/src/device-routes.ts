// The device flow's two addresses besides the token endpoint: POST /login/device/code, where a
// program gets its codes (answered like the token endpoint: HTTP 200, form-encoded unless Accept
// says otherwise, errors included), and /login/device, the page where a person types the user code,
// picks an account and authorizes or cancels.
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import type { Eta } from "eta";
import { DEVICE_POLL_INTERVAL_SECONDS, DEVICE_CODE_TTL_SECONDS, type DeviceAuthorizations } from "./device-authorizations.js";
import { pageRoot, sendHtml } from "./html-page.js";
import { tokenError } from "./oauth-errors.js";
import { sendOAuthAnswer } from "./oauth-response.js";
import { asObject, mergedParams, stringParam } from "./params.js";
import { webBase } from "./request-context.js";
import { parseRequestedScopes } from "./scopes.js";
import type { EmulatorState } from "./state.js";

export const DEVICE_CODE_PATH = "/login/device/code";
export const DEVICE_PAGE_PATH = "/login/device";

export function deviceRoutes(store: EmulatorState, devices: DeviceAuthorizations, views: Eta): Router {
  const router = express.Router();

  router.post(DEVICE_CODE_PATH, deviceCodeRoute(store, devices));

  router.get(DEVICE_PAGE_PATH, (request, response) => {
    const typed = stringParam(asObject(request.query), "user_code") ?? "";
    sendDevicePage(request, response, views, store, { status: 200, userCode: typed, message: null, done: null });
  });

  router.post(DEVICE_PAGE_PATH, (request, response) => {
    const form = asObject(request.body);
    const userCode = stringParam(form, "user_code") ?? "";
    const authorization = devices.pendingByUserCode(userCode);
    if (!authorization) {
      const message = "That code is not valid, or it has expired or been used. Check the code your device shows.";
      return sendDevicePage(request, response, views, store, { status: 400, userCode, message, done: null });
    }
    const decision = stringParam(form, "decision");
    const user = store.userByLogin(stringParam(form, "login"));
    if (decision === "cancel") {
      devices.deny(authorization);
      return sendDevicePage(request, response, views, store, { status: 200, userCode: "", message: null, done: "denied" });
    }
    if (decision !== "authorize" || !user) {
      return sendDevicePage(request, response, views, store, {
        status: 400,
        userCode,
        message: "Choose an account, then Authorize or Cancel.",
        done: null,
      });
    }
    devices.approve(authorization, user.id);
    store.recordGrant(user.id, authorization.clientId, authorization.scopes);
    sendDevicePage(request, response, views, store, {
      status: 200,
      userCode: "",
      message: null,
      done: "approved",
      appName: store.client(authorization.clientId)?.name,
    });
  });

  return router;
}

interface DevicePageState {
  status: number;
  userCode: string;
  message: string | null;
  done: "approved" | "denied" | null;
  appName?: string;
}

function sendDevicePage(request: Request, response: Response, views: Eta, store: EmulatorState, page: DevicePageState): void {
  const html = views.render("device", {
    root: pageRoot(request),
    userCode: page.userCode,
    message: page.message,
    done: page.done,
    appName: page.appName ?? null,
    users: store.users.map((user, index) => ({ id: user.id, login: user.login, name: user.name, checked: index === 0 })),
  });
  sendHtml(response, page.status, html);
}

/** POST /login/device/code: a device code and a user code for the program, as GitHub answers them. */
function deviceCodeRoute(store: EmulatorState, devices: DeviceAuthorizations): RequestHandler {
  return (request, response) => {
    const params = mergedParams(request.query, request.body);
    const client = store.client(stringParam(params, "client_id"));
    if (!client) return sendOAuthAnswer(request, response, { ...tokenError("incorrect_client_credentials") });
    // GitHub refuses the code request itself when the app's "Enable Device Flow" box is unticked.
    if (devices.disabledClients.has(client.clientId)) return sendOAuthAnswer(request, response, { ...tokenError("device_flow_disabled") });
    // GitHub Apps ignore scopes, as in the web flow.
    const requested =
      client.type === "oauth-app" ? parseRequestedScopes(stringParam(params, "scope")) : { scopes: [], offlineAccess: false };
    const authorization = devices.create(client.clientId, requested.scopes, requested.offlineAccess);
    sendOAuthAnswer(request, response, {
      device_code: authorization.deviceCode,
      user_code: authorization.userCode,
      verification_uri: `${webBase(response)}${DEVICE_PAGE_PATH}`,
      expires_in: DEVICE_CODE_TTL_SECONDS,
      interval: DEVICE_POLL_INTERVAL_SECONDS,
    });
  };
}
