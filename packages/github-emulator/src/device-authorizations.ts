// The device flow's pending authorizations (GitHub's "device flow", RFC 8628 in GitHub's dialect).
// A program asks for a device code and a user code; a person enters the user code at
// /login/device and approves or denies; the program polls with the device code. Polling faster than
// the interval is answered `slow_down` and costs the program 5 more seconds of interval, as on
// GitHub. Expiry is decided by the injected clock; expired entries are swept on the write path.
import { randomBytes, randomInt } from "node:crypto";
import { trimOldest } from "./bounded.js";
import type { Clock } from "./clock.js";

/** GitHub's defaults: 15 minutes of life, a poll every 5 seconds, 5 more after each slow_down. */
export const DEVICE_CODE_TTL_SECONDS = 900;
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
const SLOW_DOWN_STEP_SECONDS = 5;
/** GitHub's user codes: 8 characters of consonants and digits that are hard to misread, e.g. WDJB-MJHT. */
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789";

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  offlineAccess: boolean;
  expiresAt: number;
  intervalSeconds: number;
  lastPolledAt: number | null;
  status: "pending" | "approved" | "denied";
  userId: number | null;
}

export type DevicePoll =
  | { outcome: "approved"; authorization: DeviceAuthorization }
  | { outcome: "authorization_pending" | "access_denied" | "expired_token" | "incorrect_device_code" }
  | { outcome: "slow_down"; intervalSeconds: number };

export class DeviceAuthorizations {
  private readonly byDeviceCode = new Map<string, DeviceAuthorization>();
  /** Clients whose "Enable Device Flow" box is unticked (run-time control for tests). */
  readonly disabledClients = new Set<string>();
  /** How many of the next polls answer slow_down whatever their timing (run-time control for tests). */
  forcedSlowDowns = 0;

  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
  ) {}

  create(clientId: string, scopes: string[], offlineAccess: boolean): DeviceAuthorization {
    this.sweep();
    const authorization: DeviceAuthorization = {
      deviceCode: randomBytes(20).toString("hex"),
      userCode: newUserCode(),
      clientId,
      scopes,
      offlineAccess,
      expiresAt: this.clock.now() + DEVICE_CODE_TTL_SECONDS * 1000,
      intervalSeconds: DEVICE_POLL_INTERVAL_SECONDS,
      lastPolledAt: null,
      status: "pending",
      userId: null,
    };
    this.byDeviceCode.set(authorization.deviceCode, authorization);
    trimOldest(this.byDeviceCode, this.capacity);
    return authorization;
  }

  /** The pending, unexpired authorization a person typed the user code of (case and hyphen forgiven). */
  pendingByUserCode(userCode: string | undefined): DeviceAuthorization | undefined {
    const wanted = normaliseUserCode(userCode ?? "");
    if (wanted.length !== 8) return undefined;
    for (const authorization of this.byDeviceCode.values()) {
      if (normaliseUserCode(authorization.userCode) !== wanted) continue;
      return authorization.status === "pending" && this.clock.now() < authorization.expiresAt ? authorization : undefined;
    }
    return undefined;
  }

  approve(authorization: DeviceAuthorization, userId: number): void {
    authorization.status = "approved";
    authorization.userId = userId;
  }

  deny(authorization: DeviceAuthorization): void {
    authorization.status = "denied";
  }

  /** Makes the code expire now (run-time control for tests). */
  expire(authorization: DeviceAuthorization): void {
    authorization.expiresAt = this.clock.now();
  }

  /**
   * One poll by `clientId`. Order as GitHub answers: an unknown or foreign code, then expiry, then the
   * interval (a poll too soon is slow_down even once approved), then the person's decision. An
   * approved or denied code is spent by the poll that learns it.
   */
  poll(clientId: string, deviceCode: string | undefined): DevicePoll {
    const authorization = deviceCode === undefined ? undefined : this.byDeviceCode.get(deviceCode);
    if (!authorization || authorization.clientId !== clientId) return { outcome: "incorrect_device_code" };
    const now = this.clock.now();
    if (now >= authorization.expiresAt) return { outcome: "expired_token" };
    const tooSoon = authorization.lastPolledAt !== null && now - authorization.lastPolledAt < authorization.intervalSeconds * 1000;
    authorization.lastPolledAt = now;
    if (tooSoon || this.forcedSlowDowns > 0) {
      if (!tooSoon) this.forcedSlowDowns -= 1;
      authorization.intervalSeconds += SLOW_DOWN_STEP_SECONDS;
      return { outcome: "slow_down", intervalSeconds: authorization.intervalSeconds };
    }
    if (authorization.status === "pending") return { outcome: "authorization_pending" };
    this.byDeviceCode.delete(authorization.deviceCode);
    return authorization.status === "approved" ? { outcome: "approved", authorization } : { outcome: "access_denied" };
  }

  size(): number {
    return this.byDeviceCode.size;
  }

  /** Codes past their expiry by more than a life again are forgotten (until then they answer expired_token). */
  private sweep(): void {
    const now = this.clock.now();
    for (const [code, authorization] of this.byDeviceCode) {
      if (now >= authorization.expiresAt + DEVICE_CODE_TTL_SECONDS * 1000) this.byDeviceCode.delete(code);
    }
  }
}

function newUserCode(): string {
  const letters = Array.from({ length: 8 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join("");
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

function normaliseUserCode(code: string): string {
  return code.replace(/[\s-]/g, "").toUpperCase().slice(0, 16);
}
