// Validation of an authorization request, shared by the consent page (GET) and the consent form
// (POST): the form is just as untrusted as the URL, so both go through the same checks.
import { authorizeError } from "./oauth-errors.js";
import { isMalformedParam, stringParam, type ParamSource } from "./params.js";
import { resolveRedirectUri, withQuery } from "./redirect-uri.js";
import { parseRequestedScopes } from "./scopes.js";
import type { EmulatorState } from "./state.js";
import type { EmulatorClient } from "./types.js";

export interface AuthorizeRequest {
  client: EmulatorClient;
  redirectUri: string;
  state: string | undefined;
  /** Normalised; always empty for GitHub Apps, which use permissions instead of scopes. */
  scopes: string[];
  offlineAccess: boolean;
  codeChallenge: string | null;
  /** The parameters the consent form must carry back, exactly as received. */
  hiddenFields: Record<string, string>;
}

export type AuthorizeCheck =
  | { kind: "ok"; request: AuthorizeRequest }
  | { kind: "page"; status: number; title: string; message: string }
  | { kind: "redirect"; location: string };

export const CARRIED_FIELDS = ["client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"] as const;

/** RFC 7636 S256 challenge: base64url (no padding) of a SHA-256 digest is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function checkAuthorizeRequest(store: EmulatorState, params: ParamSource): AuthorizeCheck {
  const client = store.client(stringParam(params, "client_id"));
  if (!client) {
    // GitHub shows an HTML error page for an unknown client_id (its exact content is unconfirmed).
    return { kind: "page", status: 404, title: "Application not found", message: "No application is registered with this client_id." };
  }
  const first = client.callbackUrls[0];
  if (!first) {
    return { kind: "page", status: 400, title: "Application misconfigured", message: `${client.name} has no callback URL registered.` };
  }
  const state = stringParam(params, "state");
  const redirectUri = isMalformedParam(params, "redirect_uri") ? null : resolveRedirectUri(client, stringParam(params, "redirect_uri"));
  if (redirectUri === null) {
    // A mismatch is reported by redirecting to the *registered* callback, never to the requested one.
    return { kind: "redirect", location: withQuery(first.url, { ...authorizeError("redirect_uri_mismatch"), state }) };
  }
  const pkceProblem = checkPkceParams(params);
  if (pkceProblem) return { kind: "page", status: 400, title: "Invalid PKCE parameters", message: pkceProblem };

  const requested = parseRequestedScopes(stringParam(params, "scope"));
  const hiddenFields: Record<string, string> = {};
  for (const name of CARRIED_FIELDS) {
    const value = stringParam(params, name);
    if (value !== undefined) hiddenFields[name] = value;
  }
  return {
    kind: "ok",
    request: {
      client,
      redirectUri,
      state,
      scopes: client.type === "oauth-app" ? requested.scopes : [],
      offlineAccess: client.type === "oauth-app" && requested.offlineAccess,
      codeChallenge: stringParam(params, "code_challenge") ?? null,
      hiddenFields,
    },
  };
}

/** GitHub accepts only S256, and each of code_challenge / code_challenge_method requires the other. */
function checkPkceParams(params: ParamSource): string | null {
  const challengeSent = params.code_challenge !== undefined && params.code_challenge !== "";
  const methodSent = params.code_challenge_method !== undefined && params.code_challenge_method !== "";
  if (!challengeSent && !methodSent) return null;
  const challenge = stringParam(params, "code_challenge");
  const method = stringParam(params, "code_challenge_method");
  if (challenge === undefined) return "code_challenge is required when code_challenge_method is sent.";
  if (!S256_CHALLENGE.test(challenge)) return "code_challenge must be 43 characters of base64url (the SHA-256 of the code verifier).";
  if (method === undefined) return "code_challenge_method is required when code_challenge is sent.";
  if (method !== "S256") return "code_challenge_method must be S256; the plain method is not supported.";
  return null;
}
