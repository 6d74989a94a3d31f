// SESSION_SECRET (signs cookies) and TOKEN_ENCRYPTION_KEY (seals tokens), each a comma-separated
// list whose first entry is used for new values and all of which are accepted (rotation). Without
// them a random one is made, which only suits a single development process. Messages never repeat
// a secret.
import { randomBytes } from "node:crypto";
import { splitList } from "./lists.js";
import type { ConfigProblems } from "./problems.js";
import type { ParsedEnvironment } from "./schema.js";

const MIN_SECRET_LENGTH = 32;
const TOKEN_KEY_BYTES = 32;

export interface Secrets {
  sessionSecrets: string[];
  tokenEncryptionKeys: Buffer[];
}

export function readSecrets(env: ParsedEnvironment, production: boolean, { errors, warnings }: ConfigProblems): Secrets {
  const sessionSecrets = splitList(env.SESSION_SECRET);
  checkSessionSecrets(sessionSecrets, production, { errors, warnings });
  const tokenEncryptionKeys = parseTokenKeys(env.TOKEN_ENCRYPTION_KEY, errors);
  if (sessionSecrets.length === 0) {
    sessionSecrets.push(randomBytes(32).toString("base64url"));
    warnings.push("SESSION_SECRET is not set: using a random one, so sessions end when the process restarts.");
  }
  if (tokenEncryptionKeys.length === 0) {
    tokenEncryptionKeys.push(randomBytes(TOKEN_KEY_BYTES));
    warnings.push("TOKEN_ENCRYPTION_KEY is not set: using a random one, so stored tokens cannot be opened after a restart.");
  }
  return { sessionSecrets, tokenEncryptionKeys };
}

function checkSessionSecrets(secrets: string[], production: boolean, { errors, warnings }: ConfigProblems): void {
  const weak = secrets.filter((secret) => secret.length < MIN_SECRET_LENGTH).length;
  if (weak === 0) return;
  const message = `SESSION_SECRET: ${weak} of the secrets is shorter than ${MIN_SECRET_LENGTH} characters`;
  if (production) errors.push(`${message} (refused in production)`);
  else warnings.push(message);
}

function parseTokenKeys(text: string | undefined, errors: string[]): Buffer[] {
  return splitList(text).flatMap((encoded, index) => {
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) ? Buffer.from(encoded, "base64") : Buffer.alloc(0);
    if (key.length === TOKEN_KEY_BYTES) return [key];
    errors.push(
      `TOKEN_ENCRYPTION_KEY: key #${index + 1} must be 32 bytes in base64 (44 characters); generate one with: openssl rand -base64 32`,
    );
    return [];
  });
}
