// GET /login/oauth/authorize shows the consent page; POST (the consent form) answers the client by
// redirecting to its redirect_uri with `code` + `state`, or `error=access_denied` + `state`.
// `prompt=select_account` forces GitHub's account picker: the page preselects no account (not even
// the `login` hint), so the person chooses one.
import express, { type Response, type Router } from "express";
import type { Eta } from "eta";
import { checkAuthorizeRequest, type AuthorizeCheck, type AuthorizeRequest } from "./authorize-request.js";
import { sendConsentPage, sendErrorPage } from "./consent-page.js";
import { authorizeError } from "./oauth-errors.js";
import { asObject, stringParam } from "./params.js";
import { withQuery } from "./redirect-uri.js";
import type { EmulatorState } from "./state.js";

export const AUTHORIZE_PATH = "/login/oauth/authorize";

export function authorizeRoutes(store: EmulatorState, views: Eta): Router {
  const router = express.Router();

  router.get(AUTHORIZE_PATH, (request, response) => {
    const query = asObject(request.query);
    withValidRequest(response, views, checkAuthorizeRequest(store, query), (authorize) => {
      sendConsentPage(response, views, {
        client: authorize.client,
        scopes: authorize.scopes,
        offlineAccess: authorize.offlineAccess,
        requestedScope: authorize.hiddenFields.scope,
        users: store.users,
        suggestedLogin: stringParam(query, "login"),
        accountPicker: stringParam(query, "prompt") === "select_account",
        redirectUri: authorize.redirectUri,
        hiddenFields: authorize.hiddenFields,
      });
    });
  });

  router.post(AUTHORIZE_PATH, (request, response) => {
    const form = asObject(request.body);
    withValidRequest(response, views, checkAuthorizeRequest(store, form), (authorize) => {
      const decision = stringParam(form, "decision");
      if (decision === "cancel") {
        response.redirect(302, withQuery(authorize.redirectUri, { ...authorizeError("access_denied"), state: authorize.state }));
        return;
      }
      const user = store.userByLogin(stringParam(form, "login"));
      if (decision !== "authorize" || !user) {
        sendErrorPage(response, views, 400, "Invalid consent form", "Choose an account, then Authorize or Cancel.");
        return;
      }
      const code = store.createCode({
        clientId: authorize.client.clientId,
        userId: user.id,
        redirectUri: authorize.redirectUri,
        scopes: authorize.scopes,
        offlineAccess: authorize.offlineAccess,
        codeChallenge: authorize.codeChallenge,
      });
      store.recordGrant(user.id, authorize.client.clientId, authorize.scopes);
      response.redirect(302, withQuery(authorize.redirectUri, { code: code.code, state: authorize.state }));
    });
  });

  return router;
}

function withValidRequest(response: Response, views: Eta, check: AuthorizeCheck, onValid: (request: AuthorizeRequest) => void): void {
  if (check.kind === "redirect") response.redirect(302, check.location);
  else if (check.kind === "page") sendErrorPage(response, views, check.status, check.title, check.message);
  else onValid(check.request);
}
