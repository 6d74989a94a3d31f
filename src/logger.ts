// Structured JSON logs on stdout (pino). Anything that could hold a token, cookie, code or secret is
// redacted by name, wherever it appears in a log object, as a second line of defence: code that
// logs is expected not to pass such values in the first place.
import { pino, type DestinationStream, type Logger } from "pino";

const SECRET_FIELD_NAMES = [
  "accessToken",
  "refreshToken",
  "access_token",
  "refresh_token",
  "token",
  "code",
  "code_verifier",
  "codeVerifier",
  "client_secret",
  "clientSecret",
  "secret",
  "password",
  "sentinelPassword",
  "state",
  "cookie",
  "authorization",
  "set-cookie",
];

const REDACT_PATHS = [
  ...SECRET_FIELD_NAMES,
  ...SECRET_FIELD_NAMES.map((name) => `*.${name}`),
  ...SECRET_FIELD_NAMES.map((name) => `*.*.${name}`),
  'req.headers["x-hub-signature-256"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: "github-login-server" } }, destination);
}
