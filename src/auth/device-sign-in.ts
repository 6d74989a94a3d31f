// Device sign-in for programs (SPEC §8, RFC 8628 in shape): POST /auth/device asks GitHub for a
// device code and keeps it to the server (sealed, with GitHub's expiry); the program gets an opaque
// handle of ours. Each poll of POST /auth/device/token runs under a lock on that handle, so polls
// racing each other make at most one call to GitHub at a time and at most one session. GitHub is
// asked no faster than its interval however fast the program polls, and a program polling faster
// than the interval it was given is told slow_down, as GitHub would tell it.
import { GitHubOAuthError } from "../github/errors.js";
import type { Locks } from "../store/locks.js";
import { attemptIdOf, newDeviceHandle, parseAttempt, sealDeviceCode, type DeviceAttempt } from "./device-attempt.js";
import { DeviceGrantAnswer } from "./device-errors.js";
import { pollHeld, refusedByGitHub, type DevicePollDependencies } from "./device-poll.js";
import type { DeviceSignedIn } from "./device-session.js";

/** A late poll still hears "expired" this long after GitHub's expiry, rather than "unknown". */
const EXPIRED_GRACE_MS = 10 * 60_000;

export interface DeviceSignInDependencies extends DevicePollDependencies {
  locks: Locks;
}

export interface StartedDeviceSignIn {
  handle: string;
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

export function createDeviceSignIn(deps: DeviceSignInDependencies) {
  const { clock, github, sealer, attempts, logger } = deps;

  async function start(): Promise<StartedDeviceSignIn> {
    const codes = await github.requestDeviceCode().catch((error: unknown) => {
      throw error instanceof GitHubOAuthError ? refusedByGitHub(logger, error.oauthError) : error;
    });
    const handle = newDeviceHandle();
    const attemptId = attemptIdOf(handle)!;
    const now = clock.now();
    const attempt: DeviceAttempt = {
      sealedDeviceCode: sealDeviceCode(codes.deviceCode, attemptId, sealer),
      expiresAt: now + codes.expiresInSeconds * 1000,
      intervalMs: codes.intervalSeconds * 1000,
      lastProgramPollAt: null,
      // GitHub counts its interval from the code request: the first call waits it out too.
      nextGitHubPollAt: now + codes.intervalSeconds * 1000,
    };
    await attempts.create(attemptId, JSON.stringify(attempt), codes.expiresInSeconds * 1000 + EXPIRED_GRACE_MS);
    return { handle, userCode: codes.userCode, verificationUri: codes.verificationUri, expiresInSeconds: codes.expiresInSeconds, intervalSeconds: codes.intervalSeconds };
  }

  async function poll(handle: unknown, userAgent: string | null): Promise<DeviceSignedIn> {
    const attemptId = attemptIdOf(handle);
    if (attemptId === null) throw new DeviceGrantAnswer("invalid_grant");
    // Another poll of this handle is under way: this one came sooner than the interval.
    const owner = await deps.locks.tryAcquire(`device:${attemptId}`, deps.config.github.timeoutMs * 4);
    if (owner === null) throw new DeviceGrantAnswer("slow_down", undefined, await currentInterval(attemptId));
    try {
      return await pollHeld(attemptId, userAgent, deps);
    } finally {
      await deps.locks.release(`device:${attemptId}`, owner);
    }
  }

  async function currentInterval(attemptId: string): Promise<number | null> {
    const attempt = parseAttempt(await attempts.read(attemptId));
    return attempt ? attempt.intervalMs / 1000 : null;
  }

  return { start, poll };
}

export type DeviceSignIn = ReturnType<typeof createDeviceSignIn>;
