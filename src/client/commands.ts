// The reference client of device sign-in (docs: programs and CLIs), which needs none of the
// server's configuration: it is what a program on someone's laptop runs.
//   login --server URL   asks for a code, says where to enter it, polls at the interval (slowing
//                        down when told) and keeps the session token (token-file.ts)
//   status               who the kept token signs in as, and until when (asks the server)
//   logout               ends the session at the server and forgets the token
import { callServer, ClientFailure, messageOf, type ClientIo } from "./server-calls.js";
import { forgetSession, readSession, saveSession, tokenFilePath, type SavedSession } from "./token-file.js";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const CLIENT_USAGE = [
  "usage: node dist/cli.js login --server <URL of the login server>",
  "       node dist/cli.js status",
  "       node dist/cli.js logout",
].join("\n");

export type ClientCommand = { name: "login"; server: string } | { name: "status" } | { name: "logout" };

/** The command line as a client command, or null when it is not one. */
export function parseClientCommand(argv: string[]): ClientCommand | null {
  const [name, ...rest] = argv;
  if ((name === "status" || name === "logout") && rest.length === 0) return { name };
  if (name !== "login") return null;
  const [flag, value, ...extra] = rest;
  if (flag !== "--server" || value === undefined || extra.length > 0 || !URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === "https:" || url.protocol === "http:" ? { name, server: url.origin } : null;
}

export async function runClientCommand(command: ClientCommand, io: ClientIo): Promise<number> {
  try {
    if (command.name === "login") await login(command.server, io);
    else if (command.name === "status") await status(io);
    else await logout(io);
    return 0;
  } catch (error) {
    io.err(
      `github-login-server ${command.name}: ${error instanceof ClientFailure ? error.message : `failed: ${(error as Error).message}`}`,
    );
    return 1;
  }
}

async function login(server: string, io: ClientIo): Promise<void> {
  const started = await callServer(io, `${server}/auth/device`, { method: "POST" });
  if (started.status === 404) throw new ClientFailure(`${server} does not offer device sign-in (DEVICE_FLOW is off there)`);
  const { device_code: deviceCode, user_code: userCode, verification_uri: verificationUri, interval } = started.fields;
  if (started.status !== 200 || typeof deviceCode !== "string" || typeof userCode !== "string" || typeof verificationUri !== "string") {
    throw new ClientFailure(`the server could not start a sign-in: ${messageOf(started.fields, `HTTP ${started.status}`)}`);
  }
  io.out(`First copy your one-time code: ${userCode}`);
  io.out(`Then open ${verificationUri} in a browser, enter the code and authorize.`);
  io.out("Waiting for the authorization…");
  const signedIn = await waitForToken(server, deviceCode, typeof interval === "number" && interval > 0 ? interval : 5, io);
  const path = tokenFilePath(io.env);
  await saveSession(path, { server, ...signedIn });
  io.out(`Signed in as @${signedIn.user.login}. The session token is in ${path}`);
}

async function waitForToken(
  server: string,
  deviceCode: string,
  initialInterval: number,
  io: ClientIo,
): Promise<Omit<SavedSession, "server">> {
  let intervalSeconds = initialInterval;
  for (;;) {
    await io.sleep(intervalSeconds * 1000);
    const poll = await callServer(io, `${server}/auth/device/token`, {
      method: "POST",
      form: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode }),
    });
    const { error } = poll.fields;
    if (poll.status === 200 && typeof poll.fields.access_token === "string") return poll.fields as unknown as Omit<SavedSession, "server">;
    if (error === "authorization_pending") continue;
    if (error === "slow_down") {
      intervalSeconds = typeof poll.fields.interval === "number" ? poll.fields.interval : intervalSeconds + 5;
      continue;
    }
    if (error === "access_denied") throw new ClientFailure(`the sign-in was refused: ${messageOf(poll.fields, "access denied")}`);
    if (error === "expired_token") throw new ClientFailure("the code expired before it was entered; run login again");
    throw new ClientFailure(`the server answered ${poll.status}: ${messageOf(poll.fields, String(error ?? "no token"))}`);
  }
}

async function savedOrFail(io: ClientIo): Promise<SavedSession> {
  const saved = await readSession(tokenFilePath(io.env));
  if (!saved) throw new ClientFailure("not signed in (run: node dist/cli.js login --server <URL>)");
  return saved;
}

async function status(io: ClientIo): Promise<void> {
  const saved = await savedOrFail(io);
  const answer = await callServer(io, `${saved.server}/api/session`, { method: "GET", bearer: saved.access_token });
  if (answer.status === 401) throw new ClientFailure(`the session at ${saved.server} has ended (run login again)`);
  if (answer.status !== 200) throw new ClientFailure(`the server answered ${answer.status}: ${messageOf(answer.fields, "no details")}`);
  const user = answer.fields.user as { login?: unknown } | undefined;
  const expiresAt = typeof answer.fields.expiresAt === "string" ? `, until ${answer.fields.expiresAt} unless used` : "";
  io.out(`Signed in to ${saved.server} as @${String(user?.login ?? saved.user.login)}${expiresAt}`);
}

async function logout(io: ClientIo): Promise<void> {
  const saved = await savedOrFail(io);
  const answer = await callServer(io, `${saved.server}/auth/logout`, { method: "POST", bearer: saved.access_token });
  // 401: the session had already ended at the server; either way the token is of no more use.
  if (answer.status !== 204 && answer.status !== 401)
    throw new ClientFailure(`the server answered ${answer.status}: ${messageOf(answer.fields, "no details")}`);
  await forgetSession(tokenFilePath(io.env));
  io.out(`Signed out of ${saved.server}${answer.status === 401 ? " (the session had already ended there)" : ""}.`);
}
