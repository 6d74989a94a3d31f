#!/usr/bin/env node
// `github-emulator` (npx github-emulator, npm run emulator): the standalone emulator, dist/standalone.js.
// In a checkout with TypeScript installed it first brings dist/ up to date (`tsc -b`, which compiles
// only what changed), so a fresh `npm ci` or an edited source needs no separate build step; an
// install without the sources or without TypeScript runs what is built. The emulator then runs in
// this same process, so signals reach it directly.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));

function compiler() {
  try {
    return createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    return null;
  }
}

const tsc = existsSync(new URL("../src/standalone.ts", import.meta.url)) ? compiler() : null;
if (tsc) {
  try {
    execFileSync(process.execPath, [tsc, "-b", packageRoot], { stdio: "inherit" });
  } catch {
    process.stderr.write("github-emulator: the build failed (see above)\n");
    process.exit(1);
  }
}
if (!existsSync(new URL("../dist/standalone.js", import.meta.url))) {
  process.stderr.write(
    `github-emulator: ${packageRoot}dist/standalone.js is missing; build it with TypeScript: npx tsc -b ${packageRoot}\n`,
  );
  process.exit(1);
}
await import("../dist/standalone.js");
