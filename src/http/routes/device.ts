// POST /auth/device and POST /auth/device/token (SPEC §8): device sign-in for programs, in RFC
// 8628's shape so standard device-flow clients work unchanged. Bodies may be a form or JSON; the
// poll's "no token yet" answers are RFC 6749 §5.2 error bodies (`error`, `error_description`, and
// our `message`); everything else a program can hit goes through the one error handler as JSON.
// Without DEVICE_FLOW=true both answer 404, as if they did not exist.
import express, { type Request, type RequestHandler, type Response } from "express";
import { DeviceGrantAnswer } from "../../auth/device-errors.js";
import type { DeviceSignIn } from "../../auth/device-sign-in.js";
import type { Config } from "../../config/config.js";
import { notFound } from "../../errors.js";
import { DEVICE_CODE_GRANT } from "../../github/device-flow.js";

const BODY_LIMIT = "8kb";
const parseBodies = [express.urlencoded({ extended: false, limit: BODY_LIMIT }), express.json({ limit: BODY_LIMIT })];

export interface DeviceRouteHandlers {
  deviceStart: RequestHandler[];
  deviceToken: RequestHandler[];
}

export function deviceRoutes(config: Config, deviceSignIn: DeviceSignIn): DeviceRouteHandlers {
  const onlyWhenEnabled: RequestHandler = (_request, _response, next) => next(config.deviceFlow ? undefined : notFound());

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
      response.json({ access_token: signedIn.sessionToken, token_type: "Bearer", expires_in: signedIn.expiresInSeconds, user: signedIn.user });
    } catch (error) {
      if (!(error instanceof DeviceGrantAnswer)) throw error;
      sendGrantAnswer(response, error);
    }
  };

  return { deviceStart: [onlyWhenEnabled, ...parseBodies, deviceStart], deviceToken: [onlyWhenEnabled, ...parseBodies, deviceToken] };
}

/** Each parameter once, as a string: repeated (`a=1&a=2`) or non-string JSON values are not guessed at. */
function pollParameters(request: Request): { grantType: string | undefined; deviceCode: string | undefined } {
  const body: unknown = request.body;
  const fields = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return { grantType: text(fields.grant_type), deviceCode: text(fields.device_code) };
}

function sendGrantAnswer(response: Response, answer: DeviceGrantAnswer): void {
  response.status(400).json({
    error: answer.code,
    error_description: answer.description,
    message: answer.description,
    ...(answer.intervalSeconds !== null ? { interval: answer.intervalSeconds } : {}),
  });
}
