// grant_type=urn:ietf:params:oauth:grant-type:device_code on POST /login/oauth/access_token: the
// program's poll. No client secret is needed (a program on someone's laptop cannot keep one), but a
// wrong one is still refused. A disabled device flow answers device_flow_disabled, slow_down carries
// the new interval, and an approved code yields the same token answer as the web flow.
import type { DeviceAuthorizations } from "./device-authorizations.js";
import { stringParam, type ParamSource } from "./params.js";
import type { EmulatorState } from "./state.js";
import { sameSecret } from "./token-route.js";
import { tokenFields, type GrantResult } from "./token-grants.js";
import type { EmulatorStats } from "./types.js";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export function pollDeviceCode(
  store: EmulatorState,
  stats: EmulatorStats,
  devices: DeviceAuthorizations,
  params: ParamSource,
): GrantResult {
  const client = store.client(stringParam(params, "client_id"));
  const secret = stringParam(params, "client_secret");
  if (!client || (secret !== undefined && !sameSecret(secret, client.clientSecret)))
    return { ok: false, error: "incorrect_client_credentials" };
  if (devices.disabledClients.has(client.clientId)) return { ok: false, error: "device_flow_disabled" };
  const poll = devices.poll(client.clientId, stringParam(params, "device_code"));
  if (poll.outcome === "slow_down") return { ok: false, error: "slow_down", extra: { interval: poll.intervalSeconds } };
  if (poll.outcome !== "approved") return { ok: false, error: poll.outcome };
  const { authorization } = poll;
  const token = store.issueTokens({
    clientId: client.clientId,
    userId: authorization.userId ?? 0,
    scopes: authorization.scopes,
    expiring: client.expiringTokens || authorization.offlineAccess,
  });
  stats.deviceGrants += 1;
  return { ok: true, fields: tokenFields(store, client, token) };
}
