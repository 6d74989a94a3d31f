// Device sign-in the way a program does it: POST /auth/device, then polls of /auth/device/token.
import request from "supertest";
import type { ManualClock } from "../../src/clock.js";
import type { App, TestStack } from "./stack.js";

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

export async function startDevice(app: App): Promise<DeviceStart> {
  const answer = await request(app).post("/auth/device").set("Accept", "application/json");
  if (answer.status !== 200) throw new Error(`POST /auth/device answered ${answer.status}: ${answer.text}`);
  return answer.body as DeviceStart;
}

export function pollDevice(app: App, deviceCode: string) {
  return request(app).post("/auth/device/token").type("form").send({ grant_type: DEVICE_GRANT, device_code: deviceCode });
}

/** A program signed in through the device flow as `login` (approved at the stack's emulator); its session token. */
export async function deviceSessionToken(stack: TestStack, clock: ManualClock, app: App = stack.app, login = "octocat"): Promise<string> {
  const started = await startDevice(app);
  clock.advance(5_000);
  stack.emulator.emulator.approveDevice(started.user_code, login);
  const answer = await pollDevice(app, started.device_code);
  if (answer.status !== 200) throw new Error(`device sign-in answered ${answer.status} ${answer.text}`);
  return answer.body.access_token as string;
}
