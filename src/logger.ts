// Structured JSON logs on stdout (pino); in a developer's terminal, pino's own pretty printer
// (a dev dependency: never in production, never when the output goes to a file or a collector). Anything that could hold a token, cookie, code or secret is
// redacted by name, wherever it appears in a log object, as a second line of defence: code that
// logs is expected not to pass such values in the first place.
import { pino, type DestinationStream, type Logger } from "pino";

const PRETTY_PRINTER = "pino-pretty";

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

/**
 * Readable lines for a person at a terminal: outside production, when stdout is a TTY and the
 * pretty printer is installed (it is a dev dependency). Anything else gets the JSON lines.
 */
export function terminalDestination(production: boolean): DestinationStream | undefined {
  if (production || !process.stdout.isTTY || !isInstalled(PRETTY_PRINTER)) return undefined;
  return pino.transport({
    target: PRETTY_PRINTER,
    options: { colorize: true, singleLine: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,service" },
  });
}

function isInstalled(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}
