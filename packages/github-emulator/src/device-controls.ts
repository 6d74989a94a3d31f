// The device flow's run-time controls (EmulatorDeviceControls): what a person at /login/device, or
// the app's owner in its settings, would do, for tests that drive a program's polling.
import type { DeviceAuthorizations } from "./device-authorizations.js";
import type { EmulatorState } from "./state.js";
import type { EmulatorDeviceControls, EmulatorUser } from "./types.js";

export function deviceControls(
  devices: DeviceAuthorizations,
  store: EmulatorState,
  userNamed: (login: string) => EmulatorUser,
): EmulatorDeviceControls {
  const pending = (userCode: string) => {
    const authorization = devices.pendingByUserCode(userCode);
    if (!authorization) throw new Error(`emulator: no pending device authorization with user code ${userCode}`);
    return authorization;
  };
  return {
    approveDevice(userCode, login) {
      const authorization = pending(userCode);
      const user = userNamed(login);
      devices.approve(authorization, user.id);
      store.recordGrant(user.id, authorization.clientId, authorization.scopes);
    },
    denyDevice: (userCode) => devices.deny(pending(userCode)),
    expireDevice: (userCode) => devices.expire(pending(userCode)),
    slowDownNextPolls(times = 1) {
      devices.forcedSlowDowns += times;
    },
    setDeviceFlowEnabled(clientId, enabled) {
      if (!store.client(clientId)) throw new Error(`emulator: no client ${clientId}`);
      if (enabled) devices.disabledClients.delete(clientId);
      else devices.disabledClients.add(clientId);
    },
  };
}
