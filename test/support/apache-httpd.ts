// Runs a real Apache httpd (Debian's apache2) with mod_auth_openidc for one test file: in the
// foreground, one process and its workers, with its ServerRoot (configuration, logs, pid file, the
// documents it serves) in a throwaway folder, listening on loopback only. Run as root, Apache hands
// its workers to uid/gid 65534 (it refuses to serve as root), so that folder is readable by all;
// run as anyone else, it keeps the caller's user and needs no privilege at all.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary, proxiesRequired, startProxy, type RunningProxy } from "./proxy-process.js";

export interface RunningApache extends RunningProxy {
  /** Its error log so far (mod_auth_openidc says there why it refused or failed). */
  errorLog(): string;
}

/** Where Debian's apache2 keeps its modules (libapache2-mod-auth-openidc installs there too). */
export const APACHE_MODULES = process.env.APACHE_MODULES_DIR ?? "/usr/lib/apache2/modules";

/** The modules the page below and the documented mod_auth_openidc block need, and nothing else. */
const MODULES = [
  ["mpm_event_module", "mod_mpm_event.so"],
  ["authn_core_module", "mod_authn_core.so"],
  ["authz_core_module", "mod_authz_core.so"],
  ["authz_user_module", "mod_authz_user.so"],
  ["mime_module", "mod_mime.so"],
  ["dir_module", "mod_dir.so"],
  ["include_module", "mod_include.so"],
  ["auth_openidc_module", "mod_auth_openidc.so"],
] as const;

/** apache2 with mod_auth_openidc, or null (and what is missing) when either is not installed. */
export function findApacheWithOpenidc(): { binary: string | null; missing: string } {
  const binary = findBinary("apache2", ["/usr/sbin/apache2"]);
  if (!binary) return { binary: null, missing: "apache2 is not installed" };
  if (!existsSync(join(APACHE_MODULES, "mod_auth_openidc.so")))
    return { binary: null, missing: `no mod_auth_openidc.so in ${APACHE_MODULES}` };
  return { binary, missing: "" };
}

/**
 * Declares `suite` when apache2, mod_auth_openidc and Chromium are here; otherwise one test that
 * fails when this run requires them (CI, or REQUIRE_PROXIES=1: `.ci/run` installs them), or is
 * skipped, saying what to install.
 */
export function withApacheAndChromium(chromium: string, suite: (binary: string) => void): void {
  const { binary, missing } = findApacheWithOpenidc();
  const absent = binary === null ? missing : existsSync(chromium) ? "" : `no Chromium at ${chromium}`;
  const install = "apt-get install apache2 libapache2-mod-auth-openidc chromium";
  if (binary !== null && absent === "") suite(binary);
  else if (proxiesRequired()) {
    test(`Apache with mod_auth_openidc and Chromium are installed (${install})`, () => {
      throw new Error(`${absent}, and this run requires the relying parties it tests (CI or REQUIRE_PROXIES=1)`);
    });
  } else test.skip(`${absent} (${install}): the mod_auth_openidc test did not run`, () => undefined);
}

/**
 * Starts apache2 serving `documents` (name → content, under DocumentRoot, `.shtml` through
 * server-side includes) with `site` (directives at server level, e.g. the documented
 * mod_auth_openidc block) on 127.0.0.1:`port`; resolves once it accepts connections there.
 */
export async function startApache(binary: string, site: string, port: number, documents: Record<string, string>): Promise<RunningApache> {
  const root = mkdtempSync(join(tmpdir(), "gls-apache-"));
  const htdocs = join(root, "htdocs");
  mkdirSync(htdocs);
  for (const [name, content] of Object.entries(documents)) writeFileSync(join(htdocs, name), content, { mode: 0o644 });
  // Workers of an Apache started as root run as 65534 and must read the documents.
  chmodSync(root, 0o755);
  chmodSync(htdocs, 0o755);
  const asRoot = process.getuid?.() === 0;
  const configFile = join(root, "httpd.conf");
  writeFileSync(
    configFile,
    [
      `ServerRoot ${root}`,
      `DefaultRuntimeDir ${root}`,
      `PidFile ${join(root, "httpd.pid")}`,
      `ErrorLog ${join(root, "error.log")}`,
      "LogLevel warn auth_openidc:info",
      `Listen 127.0.0.1:${port}`,
      "ServerName 127.0.0.1",
      ...(asRoot ? ["User #65534", "Group #65534"] : []),
      ...MODULES.map(([name, file]) => `LoadModule ${name} ${join(APACHE_MODULES, file)}`),
      "TypesConfig /dev/null",
      "AddType text/html .shtml",
      `DocumentRoot ${htdocs}`,
      "DirectoryIndex index.shtml",
      `<Directory ${htdocs}>`,
      "    Options +Includes",
      "    AddOutputFilter INCLUDES .shtml",
      "</Directory>",
      "",
      site,
      "",
    ].join("\n"),
  );
  const errorLog = () => (existsSync(join(root, "error.log")) ? readFileSync(join(root, "error.log"), "utf8") : "");
  // Apache reads APACHE_* variables only through Debian's apache2ctl; run directly it needs none.
  const command = { binary, args: ["-f", configFile, "-DFOREGROUND"], options: { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } } };
  const running = await startProxy("apache2", command, port, root, errorLog);
  return { ...running, errorLog };
}
