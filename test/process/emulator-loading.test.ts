// The GitHub emulator is a package of its own (packages/github-emulator) that the built server loads
// in demo mode only: with Node's module hooks refusing to load anything of that package, the server
// in production mode starts, serves and has no /_emulator, while in demo mode it cannot start (so the
// hooks do see the load they refuse).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildServer, PROJECT_ROOT, productionEnvironment, runServer, waitForHealthy } from "../support/process.js";
import { freePort } from "../support/redis-server.js";
import { testRedisUrl } from "../support/stack.js";

/** Resolves every import as Node does, then refuses any that lands in the emulator package. */
const REFUSING_HOOKS = `
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.includes("/packages/github-emulator/")) throw new Error("refused to load " + resolved.url);
  return resolved;
}
`;

let folder: string;
let refuseEmulator: string[];

beforeAll(() => {
  buildServer();
  folder = mkdtempSync(join(tmpdir(), "gls-emulator-loading-"));
  writeFileSync(join(folder, "hooks.mjs"), REFUSING_HOOKS);
  writeFileSync(
    join(folder, "register.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(folder, "hooks.mjs")).href)});\n`,
  );
  refuseEmulator = ["--import", pathToFileURL(join(folder, "register.mjs")).href, join(PROJECT_ROOT, "dist/server.js")];
}, 60_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

test("production mode never loads it: the server starts and serves, and nothing answers at /_emulator", async () => {
  const port = await freePort();
  const environment = productionEnvironment({
    port,
    githubUrl: "http://127.0.0.1:9",
    clientId: "Iv23liNoEmulatorHere1",
    clientSecret: randomBytes(20).toString("hex"),
    redisUrl: testRedisUrl(),
    keyPrefix: `gls-no-emulator-${randomBytes(4).toString("hex")}:`,
  });
  const server = runServer(environment, { cwd: folder, args: refuseEmulator });
  try {
    await waitForHealthy(`http://127.0.0.1:${port}`, server);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/_emulator/`)).status).toBe(404);
    expect(server.output()).not.toContain("refused to load");
  } finally {
    await server.stop();
  }
});

test("demo mode loads it: refused, the server does not start", async () => {
  const server = runServer({ PORT: String(await freePort()) }, { cwd: folder, args: refuseEmulator });
  expect(await server.exited).toBe(1);
  expect(server.output()).toMatch(/failed to start: refused to load file:\/\/\S*\/packages\/github-emulator\/dist\/index\.js/);
});
