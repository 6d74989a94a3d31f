// Runs a real Caddy for one test file: in the foreground, as one process, with its configuration,
// data and config directories in a throwaway directory, the admin endpoint off and no automatic
// HTTPS, so it needs no root, binds only the port it is given and touches nothing of a system Caddy.
// Debian's caddy package (2.6) is enough.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary, startProxy, type RunningProxy } from "./proxy-process.js";

export { proxiesRequired } from "./proxy-process.js";
export type RunningCaddy = RunningProxy;

/** The caddy binary, or null when it is not installed. */
export const findCaddy = () => findBinary("caddy", ["/usr/bin/caddy", "/usr/local/bin/caddy"]);

/** Starts Caddy with `caddyfile` after global options of its own, and resolves once it accepts connections on `port`. */
export async function startCaddy(binary: string, caddyfile: string, port: number): Promise<RunningCaddy> {
  const home = mkdtempSync(join(tmpdir(), "gls-caddy-"));
  const configFile = join(home, "Caddyfile");
  const globalOptions = ["{", "\tadmin off", "\tauto_https off", `\tstorage file_system ${join(home, "data")}`, "}", ""];
  writeFileSync(configFile, [...globalOptions, caddyfile, ""].join("\n"));
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
  };
  return startProxy("Caddy", { binary, args: ["run", "--config", configFile, "--adapter", "caddyfile"], options: { env } }, port, home);
}
