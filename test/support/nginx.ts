// Runs a real nginx for one test file: in the foreground, as one process, with its prefix, logs,
// pid file and temp directories in a throwaway directory, so it needs no root and touches nothing
// of a system nginx. Debian's nginx (or nginx-light) has the auth_request module.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "./eventually.js";

export interface RunningNginx {
  stop(): Promise<void>;
  errorLog(): string;
}

/** The nginx binary, or null when it is not installed. */
export function findNginx(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" }).trim() || null;
  } catch {
    return ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((path) => existsSync(path)) ?? null;
  }
}

/** Starts nginx with `httpBlock` inside `http { }`, and resolves once it accepts connections on `port`. */
export async function startNginx(binary: string, httpBlock: string, port: number): Promise<RunningNginx> {
  const prefix = mkdtempSync(join(tmpdir(), "gls-nginx-"));
  const built = execFileSync(binary, ["-V"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) + "";
  const tempPaths = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .filter((module) => module === "client_body" || !built.includes(`--without-http_${module}_module`))
    .map((module) => {
      mkdirSync(join(prefix, module));
      return `${module}_temp_path ${join(prefix, module)};`;
    });
  const configFile = join(prefix, "nginx.conf");
  writeFileSync(
    configFile,
    [
      "daemon off;",
      "master_process off;",
      `pid ${join(prefix, "nginx.pid")};`,
      `error_log ${join(prefix, "error.log")} info;`,
      "events { worker_connections 64; }",
      "http {",
      "  access_log off;",
      ...tempPaths.map((line) => `  ${line}`),
      httpBlock,
      "}",
      "",
    ].join("\n"),
  );
  const errorLog = () => (existsSync(join(prefix, "error.log")) ? readFileSync(join(prefix, "error.log"), "utf8") : "");
  const child: ChildProcess = spawn(binary, ["-p", prefix, "-c", configFile, "-e", join(prefix, "error.log")], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    await eventually(`nginx to accept connections on port ${port}`, () => accepts(port), {
      timeoutMs: 10_000,
      abandonIf: () => (child.exitCode === null ? undefined : `nginx exited with code ${child.exitCode}`),
      detail: () => `${output}\n${errorLog()}`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, errorLog };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
