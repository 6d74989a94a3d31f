// Every configuration variable the server reads is documented where a newcomer looks for it.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadConfig } from "../../src/config/load-config.js";
import { environmentSchema } from "../../src/config/schema.js";
import { PROJECT_ROOT } from "../support/process.js";

// What the server reads: the keys of the exported schema. The server hands process.env to
// loadConfig alone, and everything downstream reads the parsed result, whose type has exactly
// these keys, so no variable can be read that the schema does not list.
const variables = Object.keys(environmentSchema.shape);
const read = (file: string) => readFileSync(`${PROJECT_ROOT}/${file}`, "utf8");
const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

/** Where the configuration reference lives: its table of every variable, and the production paragraph. */
const CONFIGURATION_PAGE = "docs/configuration.md";

/** The variables named in the first cell of each row of the configuration page's table of every variable. */
function documentedConfigurationTable(): string[] {
  const section = /^## Every variable\n([\s\S]*?)^## /m.exec(read(CONFIGURATION_PAGE))?.[1];
  if (section === undefined) throw new Error(`${CONFIGURATION_PAGE} has no "## Every variable" section followed by another "## " section`);
  const rows = section.split("\n").filter((line) => /^\| `/.test(line));
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
}

/** The variables .env.example sets or shows commented out (`# NAME=value`). */
const envExampleVariables = () => [...read(".env.example").matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!);

/** Variables docker-compose.yml substitutes from .env that the server itself does not read. */
const composeOnlyVariables = () =>
  sorted([...read("docker-compose.yml").matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!)).filter(
    (name) => !variables.includes(name),
  );

test("the configuration page's table documents exactly the variables the server reads, each once", () => {
  const documented = documentedConfigurationTable();
  expect(sorted(documented)).toEqual(sorted(variables));
  expect(documented).toHaveLength(new Set(documented).size);
});

test("the README names every variable the server reads, pointing at the configuration page", () => {
  const named = [...read("README.md").matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!);
  expect(sorted(variables).filter((variable) => !named.includes(variable))).toEqual([]);
});

test(".env.example shows exactly the variables the server reads, plus the ones only docker compose reads, each marked so", () => {
  const composeOnly = composeOnlyVariables();
  expect(sorted(envExampleVariables())).toEqual(sorted([...variables, ...composeOnly]));
  for (const name of composeOnly) {
    const comment = new RegExp(`((?:^#.*\n)+)# ${name}=`, "m").exec(read(".env.example"))?.[1] ?? "";
    expect([name, /docker compose only/.test(comment)]).toEqual([name, true]);
  }
});

test("an unedited .env.example sets nothing, so a copy of it starts demo mode", () => {
  const assignments = read(".env.example")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line));
  expect(assignments).toEqual([]);
});

test("the production requirements listed in .env.example and the configuration page are the ones the code enforces", () => {
  // What production refuses to start without: every variable named in the errors of an otherwise
  // empty production configuration.
  const result = loadConfig({ NODE_ENV: "production" });
  const errors = result.ok ? "" : result.errors.join("\n");
  const required = variables.filter((variable) => variable !== "NODE_ENV" && new RegExp(`\\b${variable}\\b`).test(errors));
  expect(required).toEqual(expect.arrayContaining(["REDIS_URL", "REDIS_SENTINELS", "SESSION_SECRET", "PUBLIC_URL"]));
  // The comment above NODE_ENV in .env.example, and the configuration page's "Production ... also requires" paragraph.
  const envExampleList = /((?:^#.*\n)+)# NODE_ENV=/m.exec(read(".env.example"))?.[1] ?? "";
  const documentedList = /^Production \(`NODE_ENV=production`\) also requires[\s\S]*?\n\n/m.exec(read(CONFIGURATION_PAGE))?.[0] ?? "";
  for (const variable of required) {
    expect([variable, envExampleList.includes(variable)]).toEqual([variable, true]);
    expect([variable, documentedList.includes(variable)]).toEqual([variable, true]);
  }
});

describe("npm start: builds with the compiler's own incremental build, then starts; without TypeScript it starts what is built", () => {
  // package.json's own start script, run in a scratch project whose `tsc` only records that it ran
  // (and with which arguments) and writes a dist/server.js that says it started.
  const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
  let project: string;
  const builds = () => readFileSync(join(project, "builds.log"), "utf8").split("\n").filter(Boolean);
  const start = async (env: Record<string, string> = {}) => {
    const environment = { ...process.env, npm_config_update_notifier: "false", ...env };
    try {
      const { stdout } = await promisify(execFile)("npm", ["start", "--silent"], { cwd: project, env: environment });
      return { code: 0, stdout };
    } catch (error) {
      return { code: (error as { code: number }).code, stdout: (error as { stdout: string }).stdout };
    }
  };
  const fakeCompiler = `#!/usr/bin/env node
const fs = require("fs");
fs.appendFileSync("builds.log", "tsc " + process.argv.slice(2).join(" ") + "\\n");
if (process.env.FAIL_BUILD) process.exit(2);
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/server.js", "console.log('server started')");
`;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "gls-start-"));
    mkdirSync(join(project, "node_modules/.bin"), { recursive: true });
    writeFileSync(join(project, "node_modules/.bin/tsc"), fakeCompiler, { mode: 0o755 });
    writeFileSync(join(project, "builds.log"), "");
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "start-check", private: true, scripts: { start: scripts.start } }));
  });

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  test("each start asks `tsc -b` (which rebuilds only what changed), then starts the server", async () => {
    expect(await start()).toEqual({ code: 0, stdout: expect.stringContaining("server started") });
    expect(await start()).toEqual({ code: 0, stdout: expect.stringContaining("server started") });
    expect(builds()).toEqual(["tsc -b", "tsc -b"]);
  });

  test("a failed build starts nothing", async () => {
    const failed = await start({ FAIL_BUILD: "1" });
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).not.toContain("server started");
  });

  test("a production install (no TypeScript) starts what is built, without trying to build", async () => {
    rmSync(join(project, "node_modules/.bin/tsc"));
    const before = builds().length;
    expect(await start()).toEqual({ code: 0, stdout: expect.stringContaining("server started") });
    expect(builds()).toHaveLength(before);
  });
});
