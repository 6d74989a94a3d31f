// Where the reference client keeps its session token: where CLIs keep theirs,
// $XDG_CONFIG_HOME/github-login-server/token.json, else ~/.config/…, readable by its owner only.
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export interface SavedSession {
  server: string;
  access_token: string;
  expires_in?: number;
  user: { id: number; login: string };
}

export function tokenFilePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), ".config");
  return join(base, "github-login-server", "token.json");
}

export async function saveSession(path: string, session: SavedSession): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // an existing file keeps its old mode through writeFile
}

/** The saved session, or null when there is none (or it is not one this client wrote). */
export async function readSession(path: string): Promise<SavedSession | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const saved = JSON.parse(text) as Partial<SavedSession>;
    const usable = typeof saved.server === "string" && typeof saved.access_token === "string" && typeof saved.user?.login === "string";
    return usable ? (saved as SavedSession) : null;
  } catch {
    return null;
  }
}

export async function forgetSession(path: string): Promise<void> {
  await rm(path, { force: true });
}
