// oidc-provider, loaded only when the provider is on (OIDC_CLIENTS, or demo mode): importing it has
// effects (on Node.js 20 it prints a warning on stderr), which a server without OIDC clients, or the
// operator's CLI, must not have. Its error classes travel with it to the parts that throw them.
import type * as OidcProviderModule from "oidc-provider";

export type ProviderModule = typeof OidcProviderModule;
export type ProviderErrors = ProviderModule["errors"];

export const loadProviderModule = (): Promise<ProviderModule> => import("oidc-provider");
