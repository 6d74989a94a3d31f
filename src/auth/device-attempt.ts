// One device sign-in in progress, as it is stored (store/device-attempts.ts): GitHub's device code
// sealed, when it expires, and the pacing of both sides — the interval the program must keep, when
// it last polled, and when GitHub may next be asked. The program's handle is never stored: the
// entry is named by a hash of it, so the store holds nothing a program could poll with.
import { createHash, randomBytes } from "node:crypto";
import type { Sealer } from "../sealer.js";

export interface DeviceAttempt {
  sealedDeviceCode: string;
  expiresAt: number;
  intervalMs: number;
  lastProgramPollAt: number | null;
  nextGitHubPollAt: number;
}

const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const newDeviceHandle = () => randomBytes(32).toString("base64url");

/** The entry's name for a handle; null for anything that is not a handle's shape. */
export function attemptIdOf(handle: unknown): string | null {
  if (typeof handle !== "string" || !HANDLE_PATTERN.test(handle)) return null;
  return createHash("sha256").update(handle).digest("base64url");
}

const codeContext = (attemptId: string) => `device-code:${attemptId}`;

export function sealDeviceCode(deviceCode: string, attemptId: string, sealer: Sealer): string {
  return sealer.seal(deviceCode, codeContext(attemptId));
}

export function openDeviceCode(attempt: DeviceAttempt, attemptId: string, sealer: Sealer): string | null {
  return sealer.open(attempt.sealedDeviceCode, codeContext(attemptId));
}

export function parseAttempt(raw: string | null): DeviceAttempt | null {
  if (!raw) return null;
  try {
    const attempt = JSON.parse(raw) as DeviceAttempt;
    return typeof attempt.sealedDeviceCode === "string" && typeof attempt.expiresAt === "number" ? attempt : null;
  } catch {
    return null;
  }
}
