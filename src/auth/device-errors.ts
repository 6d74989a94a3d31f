// What a program polling POST /auth/device/token is told when it gets no token: RFC 8628 §3.5's
// codes in RFC 6749 §5.2's shape. These are answers, not failures, so they are values the route
// sends as they are (400 with `error`, `error_description` and `message`), never through the page
// renderer; slow_down carries the interval the program must keep from now on.

export type DeviceGrantCode =
  | "authorization_pending"
  | "slow_down"
  | "expired_token"
  | "access_denied"
  | "invalid_grant"
  | "invalid_request"
  | "unsupported_grant_type";

const DESCRIPTIONS: Record<DeviceGrantCode, string> = {
  authorization_pending: "The person has not entered the code and approved yet; keep polling at the interval.",
  slow_down: "Polling too fast: wait the new interval between polls.",
  expired_token: "The device code has expired; start again with POST /auth/device.",
  access_denied: "The sign-in was refused; start again with POST /auth/device to try another account.",
  invalid_grant: "This device_code is unknown or was already used; start again with POST /auth/device.",
  invalid_request: "Send grant_type=urn:ietf:params:oauth:grant-type:device_code and the device_code from POST /auth/device.",
  unsupported_grant_type: "Only grant_type=urn:ietf:params:oauth:grant-type:device_code is answered here.",
};

export class DeviceGrantAnswer extends Error {
  constructor(
    readonly code: DeviceGrantCode,
    readonly description: string = DESCRIPTIONS[code],
    /** slow_down: the interval to keep, in seconds. */
    readonly intervalSeconds: number | null = null,
  ) {
    super(description);
  }
}
