// How the reference client talks to a login server: JSON, its own User-Agent (so the session list
// names it), and patience when the server says "not now" — a 503 (Redis or GitHub briefly away) or
// a 429 with Retry-After is waited out a few times, within a bound, instead of giving up at once.
import { readFileSync } from "node:fs";

export const USER_AGENT = `github-login-server-cli/${packageVersion()}`;
/** How many times a "not now" answer is waited out, and the longest single wait honoured. */
const MAX_RETRIES = 5;
const MAX_WAIT_SECONDS = 60;
const DEFAULT_WAIT_SECONDS = 5;

export interface ClientIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  sleep(ms: number): Promise<void>;
}

export interface ServerAnswer {
  status: number;
  fields: Record<string, unknown>;
}

export class ClientFailure extends Error {}

export interface CallOptions {
  method: "GET" | "POST";
  form?: URLSearchParams;
  bearer?: string;
}

export async function callServer(io: ClientIo, url: string, options: CallOptions): Promise<ServerAnswer> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await send(url, options);
    const fields = (await response.json().catch(() => ({}))) as unknown;
    const answer = {
      status: response.status,
      fields: typeof fields === "object" && fields !== null ? (fields as Record<string, unknown>) : {},
    };
    if ((response.status !== 503 && response.status !== 429) || attempt >= MAX_RETRIES) return answer;
    const seconds = Math.min(MAX_WAIT_SECONDS, retryAfterSeconds(response.headers.get("retry-after")));
    io.err(
      `The server is busy (${response.status}${typeof answer.fields.message === "string" ? `: ${answer.fields.message}` : ""}); trying again in ${seconds} s…`,
    );
    await io.sleep(seconds * 1000);
  }
}

async function send(url: string, { method, form, bearer }: CallOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": USER_AGENT };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  return fetch(url, { method, headers, ...(form ? { body: form } : {}) }).catch((error: Error) => {
    throw new ClientFailure(`could not reach ${new URL(url).origin} (${error.message})`);
  });
}

/** Retry-After in seconds (RFC 9110: delay-seconds or an HTTP date). */
function retryAfterSeconds(header: string | null): number {
  if (header && /^\d+$/.test(header.trim())) return Math.max(1, Number(header.trim()));
  const date = header ? Date.parse(header) : NaN;
  return Number.isNaN(date) ? DEFAULT_WAIT_SECONDS : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

export const messageOf = (fields: Record<string, unknown>, fallback: string) =>
  typeof fields.message === "string" ? fields.message : fallback;

function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}
