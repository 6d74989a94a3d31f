// Demo mode: no GitHub credentials configured, so sign-in goes to the built-in emulator mounted on
// this server. The configuration owns the demo client's credentials and the mount path; the
// composition root hands them to the emulator, which knows nothing of the server it stands in for.
import type { RedisConfig } from "./config.js";
import type { ParsedEnvironment } from "./schema.js";

/** Where the emulator is mounted on this server in demo mode. */
export const EMULATOR_MOUNT_PATH = "/_emulator";
/** GitHub App client IDs look like `Iv23li…` (20 chars); nothing validates the format strictly. */
export const DEMO_CLIENT_ID = "Iv23liDemoClient0001";
/** Only ever accepted by the emulator; demo mode must never face real users. */
export const DEMO_CLIENT_SECRET = "demo0secret0for0the0built0in0emulator000";

export function isDemoMode(env: ParsedEnvironment): boolean {
  return !env.GITHUB_CLIENT_ID && !env.GITHUB_CLIENT_SECRET;
}

export function refuseDemoModeInProduction(demoMode: boolean, production: boolean, errors: string[]): void {
  if (!demoMode || !production) return;
  errors.push(
    "demo mode (no GITHUB_CLIENT_ID/GITHUB_CLIENT_SECRET) is refused when NODE_ENV=production: " +
      "fill in .env (see .env.example) for a real GitHub app, or set NODE_ENV=development to try demo mode",
  );
}

export function warnAboutDemoMode(demoMode: boolean, redis: RedisConfig, warnings: string[]): void {
  if (!demoMode) return;
  warnings.push(`Demo mode: sign-in goes to the built-in GitHub emulator at ${EMULATOR_MOUNT_PATH}. Never use it for real users.`);
  if (keepsSessionsInMemory(redis)) {
    warnings.push("Demo mode: sessions live in this process's memory and vanish on restart.");
  }
}

/** No Redis configured: sessions live in the process (demo mode only; production requires Redis). */
export function keepsSessionsInMemory(redis: RedisConfig): boolean {
  return !redis.url && redis.clusterNodes.length === 0 && redis.sentinels.length === 0;
}

/** The demo client and the emulator's addresses, in the shape of a real GitHub's. */
export function demoGitHubEndpoints(env: ParsedEnvironment, publicUrl: string, errors: string[]) {
  if (env.GITHUB_BASE_URL || env.GITHUB_API_URL) {
    errors.push(
      "GITHUB_BASE_URL / GITHUB_API_URL: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET too (without them the server runs the demo emulator)",
    );
  }
  // The browser reaches the emulator through PUBLIC_URL; the server calls its own listener on
  // loopback, which works whatever name PUBLIC_URL uses.
  const serverBaseUrl = `http://127.0.0.1:${env.PORT}${EMULATOR_MOUNT_PATH}`;
  const baseUrl = `${publicUrl}${EMULATOR_MOUNT_PATH}`;
  return {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    baseUrl,
    apiUrl: `${baseUrl}/api/v3`,
    serverBaseUrl,
    serverApiUrl: `${serverBaseUrl}/api/v3`,
  };
}
