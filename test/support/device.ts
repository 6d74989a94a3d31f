// Device sign-in the way a program does it: POST /auth/device, then polls of /auth/device/token.
import type { Express } from "express";
import request from "supertest";

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

export async function startDevice(app: Express): Promise<DeviceStart> {
  const answer = await request(app).post("/auth/device").set("Accept", "application/json");
  if (answer.status !== 200) throw new Error(`POST /auth/device answered ${answer.status}: ${answer.text}`);
  return answer.body as DeviceStart;
}

export function pollDevice(app: Express, deviceCode: string) {
  return request(app).post("/auth/device/token").type("form").send({ grant_type: DEVICE_GRANT, device_code: deviceCode });
}
