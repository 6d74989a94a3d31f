// POST /auth/device and POST /auth/device/token (SPEC §8): device sign-in for programs, in RFC
// 8628's shape so standard device-flow clients work unchanged. Bodies may be a form or JSON; the
// poll's "no token yet" answers are RFC 6749 §5.2 error bodies (`error`, `error_description`, and
// our `message`); everything else a program can hit goes through the one error handler as JSON.
// Without DEVICE_FLOW=true both answer 404, as if they did not exist. Both are bounded per client
// address, and starts in all (device-limits.ts). A poll over its address's budget is told slow_down
// with 429 and Retry-After: standard clients (RFC 8628 §3.5) read `error` from any 4xx body and
// back off on slow_down, where an unknown code would end their sign-in for a neighbour's flood.
import express, { type Request, type RequestHandler, type Response } from "express";
import { DeviceGrantAnswer } from "../../auth/device-errors.js";
import type { DeviceSignIn } from "../../auth/device-sign-in.js";
import type { Config } from "../../config/config.js";
import { notFound } from "../../errors.js";
import { DEVICE_CODE_GRANT } from "../../github/device-flow.js";
import type { DeviceLimits } from "../device-limits.js";

const BODY_LIMIT = "8kb";
const parseBodies = [express.urlencoded({ extended: false, limit: BODY_LIMIT }), express.json({ limit: BODY_LIMIT })];
/** RFC 8628 §3.5: a client told slow_down adds 5 s to its interval; ours is also told to sit out the wait. */
const SLOW_DOWN_STEP_SECONDS = 5;
const POLL_FLOOD = "Too many polls from your address: wait the interval before polling again.";

export interface DeviceRouteHandlers {
  deviceStart: RequestHandler[];
  deviceToken: RequestHandler[];
}

export function deviceRoutes(config: Config, deviceSignIn: DeviceSignIn, limits: DeviceLimits): DeviceRouteHandlers {
  const onlyWhenEnabled: RequestHandler = (_request, _response, next) => next(config.deviceFlow ? undefined : notFound());

  const limitPolls: RequestHandler = async (request, response, next) => {
    const waitSeconds = await limits.pollWaitSeconds(request);
    if (waitSeconds === null) return next();
    response.setHeader("Retry-After", String(waitSeconds));
    sendGrantAnswer(response, new DeviceGrantAnswer("slow_down", POLL_FLOOD, waitSeconds + SLOW_DOWN_STEP_SECONDS), 429);
  };

  const deviceStart: RequestHandler = async (_request, response) => {
    const started = await deviceSignIn.start();
    response.json({
      device_code: started.handle,
      user_code: started.userCode,
      verification_uri: started.verificationUri,
      expires_in: started.expiresInSeconds,
      interval: started.intervalSeconds,
    });
  };

  const deviceToken: RequestHandler = async (request, response) => {
    try {
      const { grantType, deviceCode } = pollParameters(request);
      if (grantType === undefined || deviceCode === undefined) throw new DeviceGrantAnswer("invalid_request");
      if (grantType !== DEVICE_CODE_GRANT) throw new DeviceGrantAnswer("unsupported_grant_type");
      const signedIn = await deviceSignIn.poll(deviceCode, request.get("user-agent") ?? null);
      response.json({
        access_token: signedIn.sessionToken,
        token_type: "Bearer",
        expires_in: signedIn.expiresInSeconds,
        user: signedIn.user,
      });
    } catch (error) {
      if (!(error instanceof DeviceGrantAnswer)) throw error;
      sendGrantAnswer(response, error);
    }
  };

  return {
    deviceStart: [onlyWhenEnabled, limits.starts, ...parseBodies, deviceStart],
    deviceToken: [onlyWhenEnabled, limitPolls, ...parseBodies, deviceToken],
  };
}

/** Each parameter once, as a string: repeated (`a=1&a=2`) or non-string JSON values are not guessed at. */
function pollParameters(request: Request): { grantType: string | undefined; deviceCode: string | undefined } {
  const body: unknown = request.body;
  const fields = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return { grantType: text(fields.grant_type), deviceCode: text(fields.device_code) };
}

function sendGrantAnswer(response: Response, answer: DeviceGrantAnswer, status = 400): void {
  response.status(status).json({
    error: answer.code,
    error_description: answer.description,
    message: answer.description,
    ...(answer.intervalSeconds !== null ? { interval: answer.intervalSeconds } : {}),
  });
}
