// Runs the real kubectl (Debian's kubernetes-client, or any kubectl on PATH) against one kubeconfig
// file, with a throwaway HOME so it reads and writes nothing of the machine's own ~/.kube (its
// discovery cache, other kubeconfigs). kubectl writes refreshed OIDC tokens back into that file.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary, proxiesRequired } from "./proxy-process.js";

/** The kubectl binary, or null when it is not installed. */
export const findKubectl = () => findBinary("kubectl", ["/usr/bin/kubectl", "/usr/local/bin/kubectl"]);

export interface KubectlRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How long the command took, in ms. */
  elapsedMs: number;
}

export interface KubectlHome {
  /** The kubeconfig file every run uses. */
  kubeconfigFile: string;
  writeKubeconfig(text: string): void;
  readKubeconfig(): string;
  run(args: string[], timeoutMs?: number): Promise<KubectlRun>;
  remove(): void;
}

export function kubectlHome(binary: string): KubectlHome {
  const home = mkdtempSync(join(tmpdir(), "gls-kubectl-"));
  const kubeconfigFile = join(home, "kubeconfig");
  return {
    kubeconfigFile,
    writeKubeconfig: (text) => writeFileSync(kubeconfigFile, text, { mode: 0o600 }),
    readKubeconfig: () => readFileSync(kubeconfigFile, "utf8"),
    run: (args, timeoutMs = 15_000) => runKubectl(binary, ["--kubeconfig", kubeconfigFile, ...args], home, timeoutMs),
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

function runKubectl(binary: string, args: string[], home: string, timeoutMs: number): Promise<KubectlRun> {
  const started = performance.now();
  const child = spawn(binary, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // A kubectl that hangs (waiting on a server that never answers) is stopped, and says so.
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr: signal ? `${stderr}\n(killed by ${signal} after ${timeoutMs} ms)` : stderr,
        elapsedMs: performance.now() - started,
      });
    });
  });
}

/**
 * Declares `suite` when kubectl (and openssl, which makes the stand-in API server's certificate)
 * are installed; otherwise one test that fails when this run requires them (CI, or
 * REQUIRE_PROXIES=1: `.ci/run` installs kubernetes-client and openssl), or is skipped saying so.
 */
export function withKubectl(suite: (binary: string) => void): void {
  const binary = findKubectl();
  const missing = !binary ? "kubectl is not on PATH" : !findBinary("openssl", ["/usr/bin/openssl"]) ? "openssl is not on PATH" : "";
  const install = "apt-get install kubernetes-client openssl";
  if (binary && missing === "") suite(binary);
  else if (proxiesRequired()) {
    test(`kubectl and openssl are installed (${install})`, () => {
      throw new Error(`${missing}, and this run requires the relying parties it tests (CI or REQUIRE_PROXIES=1)`);
    });
  } else test.skip(`${missing} (${install}): the kubectl OIDC test did not run`, () => undefined);
}
