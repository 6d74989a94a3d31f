// Device sign-in's pacing (RFC 8628 §3.5), the pure rule in src/auth/device-sign-in.ts: how fast a
// program may poll, and how often GitHub is asked whatever the program does.
import { describe, expect, it } from "@jest/globals";
import { paceDevicePoll, type DeviceAttempt } from "../../src/auth/device-sign-in.js";

const attempt = (partial: Partial<DeviceAttempt> = {}): DeviceAttempt => ({
  sealedDeviceCode: "sealed",
  expiresAt: 900_000,
  intervalMs: 5_000,
  lastProgramPollAt: null,
  nextGitHubPollAt: 5_000,
  ...partial,
});

describe("paceDevicePoll", () => {
  it("asks GitHub on a poll at the interval, and not again before the next one", () => {
    const first = paceDevicePoll(attempt(), 5_000);
    expect(first.pace).toBe("ask_github");
    expect(first.paced).toMatchObject({ lastProgramPollAt: 5_000, nextGitHubPollAt: 10_000, intervalMs: 5_000 });
    expect(paceDevicePoll(first.paced, 10_000).pace).toBe("ask_github");
  });

  it("answers a first poll that comes before GitHub may be asked without asking", () => {
    const early = paceDevicePoll(attempt(), 1_000);
    expect(early).toEqual({ pace: "wait", paced: attempt({ lastProgramPollAt: 1_000 }) });
  });

  it("tells a program polling faster than its interval to slow down, by 5 s each time", () => {
    const polled = attempt({ lastProgramPollAt: 5_000, nextGitHubPollAt: 10_000 });
    const tooSoon = paceDevicePoll(polled, 9_999);
    expect(tooSoon.pace).toBe("slow_down");
    expect(tooSoon.paced).toMatchObject({ intervalMs: 10_000, lastProgramPollAt: 9_999, nextGitHubPollAt: 10_000 });
    // The next poll is measured against the longer interval.
    expect(paceDevicePoll(tooSoon.paced, 19_998).pace).toBe("slow_down");
    expect(paceDevicePoll(tooSoon.paced, 19_999).pace).toBe("ask_github");
  });

  it("leaves the attempt it was given as it was", () => {
    const before = attempt({ lastProgramPollAt: 5_000 });
    const copy = { ...before };
    paceDevicePoll(before, 6_000);
    expect(before).toEqual(copy);
  });
});
