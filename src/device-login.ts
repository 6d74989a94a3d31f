// The reference client of device sign-in (README, Programs and CLIs): `node dist/cli.js login
// --server URL` asks the server for a code, tells the person where to enter it, polls at the
// interval (slowing down when told), and keeps the session token where CLIs keep theirs:
// $XDG_CONFIG_HOME/github-login-server/token.json, else ~/.config/…, readable by its owner only.
// It needs none of the server's configuration: it is what a program on someone's laptop runs.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const LOGIN_USAGE = "usage: node dist/cli.js login --server <URL of the login server>";

export interface LoginIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  sleep(ms: number): Promise<void>;
}

/** The server's origin from `--server URL`, or null when the arguments are not that. */
export function parseLoginArgs(argv: string[]): string | null {
  const [flag, value, ...rest] = argv;
  if (flag !== "--server" || value === undefined || rest.length > 0 || !URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
}

export function tokenFilePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), ".config");
  return join(base, "github-login-server", "token.json");
}

class LoginFailed extends Error {}

async function post(url: string, body?: URLSearchParams): Promise<{ status: number; fields: Record<string, unknown> }> {
  const response = await fetch(url, { method: "POST", headers: { accept: "application/json" }, ...(body ? { body } : {}) }).catch((error: Error) => {
    throw new LoginFailed(`could not reach ${new URL(url).origin} (${error.message})`);
  });
  const fields = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, fields: typeof fields === "object" && fields !== null ? fields : {} };
}

const said = (fields: Record<string, unknown>, fallback: string) => (typeof fields.message === "string" ? fields.message : fallback);

export async function login(server: string, io: LoginIo): Promise<number> {
  try {
    const started = await post(`${server}/auth/device`);
    if (started.status === 404) throw new LoginFailed(`${server} does not offer device sign-in (DEVICE_FLOW is off there)`);
    const { device_code: deviceCode, user_code: userCode, verification_uri: verificationUri, interval } = started.fields;
    if (started.status !== 200 || typeof deviceCode !== "string" || typeof userCode !== "string" || typeof verificationUri !== "string") {
      throw new LoginFailed(`the server could not start a sign-in: ${said(started.fields, `HTTP ${started.status}`)}`);
    }
    io.out(`First copy your one-time code: ${userCode}`);
    io.out(`Then open ${verificationUri} in a browser, enter the code and authorize.`);
    io.out("Waiting for the authorization…");
    const signedIn = await waitForToken(server, deviceCode, typeof interval === "number" && interval > 0 ? interval : 5, io);
    const path = tokenFilePath(io.env);
    await saveToken(path, { server, ...signedIn });
    io.out(`Signed in as @${signedIn.user.login}. The session token is in ${path}`);
    return 0;
  } catch (error) {
    io.err(`github-login-server login: ${error instanceof LoginFailed ? error.message : `failed: ${(error as Error).message}`}`);
    return 1;
  }
}

interface SignedIn {
  access_token: string;
  expires_in: number;
  user: { id: number; login: string };
}

async function waitForToken(server: string, deviceCode: string, initialInterval: number, io: LoginIo): Promise<SignedIn> {
  let intervalSeconds = initialInterval;
  for (;;) {
    await io.sleep(intervalSeconds * 1000);
    const poll = await post(`${server}/auth/device/token`, new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode }));
    const { error } = poll.fields;
    if (poll.status === 200 && typeof poll.fields.access_token === "string") return poll.fields as unknown as SignedIn;
    if (error === "authorization_pending") continue;
    if (error === "slow_down") {
      intervalSeconds = typeof poll.fields.interval === "number" ? poll.fields.interval : intervalSeconds + 5;
      continue;
    }
    if (error === "access_denied") throw new LoginFailed(`the sign-in was refused: ${said(poll.fields, "access denied")}`);
    if (error === "expired_token") throw new LoginFailed("the code expired before it was entered; run login again");
    throw new LoginFailed(`the server answered ${poll.status}: ${said(poll.fields, String(error ?? "no token"))}`);
  }
}

async function saveToken(path: string, contents: Record<string, unknown>): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // an existing file keeps its old mode through writeFile
}
