// Runs a real nginx for one test file: in the foreground, as one process, with its prefix, logs,
// pid file and temp directories in a throwaway directory, so it needs no root and touches nothing
// of a system nginx. Debian's nginx (or nginx-light) has the auth_request module.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary, startProxy, type RunningProxy } from "./proxy-process.js";

export type RunningNginx = RunningProxy;

/** The nginx binary, or null when it is not installed. */
export const findNginx = () => findBinary("nginx", ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]);

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
  return startProxy("nginx", { binary, args: ["-p", prefix, "-c", configFile, "-e", join(prefix, "error.log")] }, port, prefix, errorLog);
}
