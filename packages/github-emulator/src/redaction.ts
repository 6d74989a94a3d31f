// What the request records keep of a secret: a marker with a short digest of it. Enough for a test
// to tell which code or token a request carried (compare with redactedSecret(value)), of no use to
// anyone who reads the emulator's memory, a heap dump or a failing test's output.
import { createHash } from "node:crypto";

/** Token-endpoint parameters that grant something on their own (or with the client id). */
const SECRET_PARAMS = new Set(["client_secret", "code", "refresh_token", "device_code", "access_token"]);

/** GitHub's token prefixes say which kind of token it is and are meant to be read (by secret scanners). */
const TOKEN_PREFIX = /^(?:gh[a-z]_|github_pat_)/;

/** Long enough that values sent by real clients survive whole; short enough that records stay small. */
const MAX_VALUE_LENGTH = 256;
const MAX_PARAMS = 32;

/** "[redacted 3f2a9c1b7d4e]", keeping a ghX_ prefix in front: "gho_[redacted …]". */
export function redactedSecret(value: string): string {
  const prefix = TOKEN_PREFIX.exec(value)?.[0] ?? "";
  return `${prefix}[redacted ${createHash("sha256").update(value).digest("hex").slice(0, 12)}]`;
}

/** "token gho_abc…" → "token gho_[redacted …]"; the scheme stays, the credentials never do. */
export function redactedAuthorization(header: string): string {
  const match = /^(\S+)\s+(.*)$/s.exec(header.trim());
  return match ? `${match[1]} ${redactedSecret(match[2] ?? "")}` : redactedSecret(header);
}

/**
 * Token-request parameters as text, secrets redacted. code_verifier is kept: without its code
 * (redacted here, and spent by the time anyone reads the record) it opens nothing, and tests check
 * that the server's verifier matches the challenge it sent.
 */
export function recordedParams(params: Record<string, string>): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(params).slice(0, MAX_PARAMS)) {
    recorded[shortened(name)] = SECRET_PARAMS.has(name) ? redactedSecret(value) : shortened(value);
  }
  return recorded;
}

/** Header values and parameters are cut at MAX_VALUE_LENGTH (a client may send 100 kB of them). */
export function shortened(value: string): string {
  return value.length <= MAX_VALUE_LENGTH ? value : `${value.slice(0, MAX_VALUE_LENGTH)}…`;
}
