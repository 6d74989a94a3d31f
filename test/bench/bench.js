// `npm run bench`: a benchmark, not a test (CI does not run it). It builds the server, then starts on
// this machine only (loopback):
//   - its own redis-server on a free port (test/support/redis-server.js),
//   - the GitHub emulator on a free port, in this process (from dist/, so build first),
//   - github-login-server as `node dist/server.js`, production-like (NODE_ENV=production, Redis,
//     a GitHub App registered at the emulator, LOG_LEVEL=info with stdout discarded),
//   - the "floor": test/bench/floor-server.js, plain express-session + connect-redis, own process,
//   - for sign-ins, the "peer": test/bench/passport-peer.js, a tutorial-style passport-github2 +
//     express-session + connect-redis server, own process, an OAuth App of its own at the emulator,
//   - for /auth/check, two lower baselines (test/bench/limit-servers.js): an empty Express 5 route
//     (the framework's cost) and a raw node:http 204 (the platform's limit), in the same rounds.
// It signs in BENCH_SESSIONS users over HTTP (start → consent → callback), gives the floor the same
// sessions (same profile JSON, written into Redis under the floor's prefix), and measures with
// autocannon in interleaved rounds (medians reported), rotating the session cookies per request:
//   GET /api/me, GET /auth/check and GET /auth/check with a per-route rule, in one interleaved run
// with the floor's /api/me, the empty Express route and the raw node:http 204; full sign-ins per
// second and server CPU per sign-in (ours and the peer's, interleaved rounds); and Redis bytes per
// session. It prints markdown tables on stdout (the main one, then every read path beside the three
// baselines); progress goes to stderr.
//
// Knobs (environment): BENCH_SESSIONS (300), BENCH_CONNECTIONS (20), BENCH_ROUNDS (5),
// BENCH_SECONDS (5, per round and side), BENCH_SIGNIN_CONCURRENCY (10), BENCH_SIGNIN_SECONDS (4, per round and side),
// BENCH_ONLY (unset: everything; else a comma list of me, check, rule, signin, oidc — the OpenID
// Connect provider's token endpoint and userinfo, test/bench/oidc-bench.js),
// BENCH_CPU_PROFILE_DIR (unset: when set, both servers run with `node --cpu-prof` and write
// ours.cpuprofile, floor.cpuprofile and (with sign-ins) peer.cpuprofile there as they stop; `node test/bench/profile-summary.js FILE`
// prints where the time went).
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, totalmem, platform, arch } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { freePort, startRedisServer, stopRedisServer } from "../support/redis-server.js";
import { measureTokenEndpoint, oidcEnvironment, oidcGrants, tokenEndpointRows } from "./oidc-bench.js";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

const SETTINGS = {
  sessions: positiveInt("BENCH_SESSIONS", 300),
  connections: positiveInt("BENCH_CONNECTIONS", 20),
  rounds: positiveInt("BENCH_ROUNDS", 5),
  seconds: positiveInt("BENCH_SECONDS", 5),
  signInConcurrency: positiveInt("BENCH_SIGNIN_CONCURRENCY", 10),
  signInSeconds: positiveInt("BENCH_SIGNIN_SECONDS", 4),
  /** Where each server writes a V8 CPU profile (`node --cpu-prof`) when it stops; none when unset. */
  cpuProfileDir: process.env.BENCH_CPU_PROFILE_DIR ?? "",
  only: measurementsToRun(process.env.BENCH_ONLY),
};
const WARMUP_SECONDS = 2;
const KEY_PREFIX = "gls:";
const FLOOR_KEY_PREFIX = "floor:sess:";
const FLOOR_COOKIE_NAME = "floor.sid";
const PEER_KEY_PREFIX = "peer:sess:";
const SESSION_TTL_SECONDS = 24 * 60 * 60;

/** The per-route rule the bench measures: an organisation every bench user is a member of. */
const RULE_PATH = "/auth/check?orgs=github";

/** Which measurements run: all, or those BENCH_ONLY lists (me, check, rule, signin, oidc). @param {string | undefined} raw */
function measurementsToRun(raw) {
  const all = ["me", "check", "rule", "signin", "oidc"];
  if (raw === undefined || raw.trim() === "") return new Set(all);
  const chosen = raw.split(",").map((name) => name.trim());
  const unknown = chosen.filter((name) => !all.includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY takes ${all.join(", ")}; not ${unknown.join(", ")}`);
  return new Set(chosen);
}

/** @param {string} name @param {number} fallback */
function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return value;
}

/** @param {string} message */
const progress = (message) => process.stderr.write(`bench: ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Everything started is stopped: in reverse order, on success, on failure and on Ctrl-C.

/** @type {{ name: string, stop: () => Promise<void> }[]} */
const running = [];
/** @type {Set<import("node:child_process").ChildProcess>} */
const children = new Set();
let cleaningUp = null;

async function cleanUp() {
  cleaningUp ??= (async () => {
    while (running.length > 0) {
      const item = running.pop();
      if (!item) break;
      try {
        await item.stop();
      } catch (error) {
        progress(`stopping ${item.name} failed: ${error instanceof Error ? error.message : error}`);
      }
    }
  })();
  return cleaningUp;
}

// Last resort if the process exits some other way: no child outlives it.
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(signal, () => {
    progress(`${signal}: stopping everything`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/**
 * Starts `node script` with exactly `env` (plus PATH); stdout is discarded, stderr kept for errors.
 * @param {string} name @param {string} script @param {Record<string, string>} env @param {string[]} [nodeOptions]
 */
function startNode(name, script, env, nodeOptions = []) {
  const child = spawn(process.execPath, [...nodeOptions, script], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  let stderr = "";
  child.stderr?.on("data", (/** @type {Buffer} */ chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  running.push({
    name,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  });
  return { child, stderr: () => stderr };
}

/** Node options that make a server write `<name>.cpuprofile` into BENCH_CPU_PROFILE_DIR. @param {string} name */
function cpuProfileOptions(name) {
  if (!SETTINGS.cpuProfileDir) return [];
  return ["--cpu-prof", `--cpu-prof-dir=${SETTINGS.cpuProfileDir}`, `--cpu-prof-name=${name}.cpuprofile`];
}

/** @param {string} baseUrl @param {{ child: import("node:child_process").ChildProcess, stderr: () => string }} proc @param {string} name */
async function waitForHealthy(baseUrl, proc, name) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited with code ${proc.child.exitCode}:\n${proc.stderr()}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${name} did not become healthy at ${baseUrl}:\n${proc.stderr()}`);
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Signing in over HTTP, the way a browser does it (cookies kept per origin, redirects by hand).

/** Cookie jar for one origin. */
class Jar {
  /** @type {Map<string, string>} */
  cookies = new Map();

  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** @param {Response} response */
  take(response) {
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(";")[0] ?? "";
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1);
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(header) || /max-age=0(?:;|$)/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** @param {string} html */
function consentForm(html) {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error("the consent page has no form");
  const action = /\baction="([^"]*)"/i.exec(form[1] ?? "")?.[1] ?? "";
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? "").matchAll(/<input\b([^>]*)>/gi)) {
    const attributes = input[1] ?? "";
    if (!/\btype="hidden"/i.test(attributes)) continue;
    const name = /\bname="([^"]*)"/i.exec(attributes)?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(attributes)?.[1] ?? "";
    if (name) fields.append(decodeEntities(name), decodeEntities(value));
  }
  return { action: decodeEntities(action), fields };
}

/** @param {string} text */
function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_entity, /** @type {string} */ name) => {
    /** @type {Record<string, string>} */
    const named = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (name[0] !== "#") return named[name.toLowerCase()] ?? "";
    return String.fromCodePoint(name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
  });
}

/** @param {string} step @param {Response} response @param {number} expected */
async function expectStatus(step, response, expected) {
  if (response.status === expected) return;
  const body = (await response.text().catch(() => "")).replace(/\s+/g, " ").slice(0, 300);
  throw new Error(`${step} answered ${response.status}, expected ${expected}: ${body}`);
}

/**
 * One whole sign-in: GET /auth/github → GET the consent page → POST it (authorize as `login`) →
 * GET the callback → GET /api/me. Returns the session cookie, the profile and step timings (ms).
 * @param {string} base @param {string} login
 */
async function signIn(base, login) {
  const jar = new Jar();
  const timings = { start: 0, consent: 0, callback: 0, me: 0, total: 0 };
  const began = performance.now();
  let mark = began;
  const lap = (/** @type {keyof typeof timings} */ step) => {
    const now = performance.now();
    timings[step] = now - mark;
    mark = now;
  };

  const start = await fetch(`${base}/auth/github`, { redirect: "manual" });
  await expectStatus("GET /auth/github", start, 302);
  jar.take(start);
  const authorizeUrl = start.headers.get("location") ?? "";
  await start.arrayBuffer();
  lap("start");

  const page = await fetch(authorizeUrl, { redirect: "manual" });
  await expectStatus("GET consent page", page, 200);
  const { action, fields } = consentForm(await page.text());
  fields.set("login", login);
  fields.set("decision", "authorize");
  const consent = await fetch(new URL(action, authorizeUrl), { method: "POST", body: fields, redirect: "manual" });
  await expectStatus("POST consent", consent, 302);
  const callbackUrl = consent.headers.get("location") ?? "";
  await consent.arrayBuffer();
  lap("consent");

  const callback = await fetch(callbackUrl, { headers: { cookie: jar.header() }, redirect: "manual" });
  await expectStatus("GET /auth/github/callback", callback, 303);
  jar.take(callback);
  await callback.arrayBuffer();
  lap("callback");

  const cookie = jar.header();
  const me = await fetch(`${base}/api/me`, { headers: { cookie } });
  await expectStatus("GET /api/me", me, 200);
  const profile = await me.json();
  lap("me");
  timings.total = performance.now() - began;
  return { cookie, profile, timings };
}

// ---------------------------------------------------------------------------------------------
// Numbers.

/** @param {number[]} values @returns {number} NaN for no values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** @param {number[]} values @param {number} p 0..100 */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
/** @param {number} n */
const fmtInt = (n) => (Number.isFinite(n) ? integer.format(n) : "—");
/** autocannon's latencies come in whole milliseconds. @param {number} ms */
const fmtWholeMs = (ms) => (Number.isFinite(ms) ? `${integer.format(ms)} ms` : "—");
/** @param {number} ms */
const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms` : "—");
/** @param {number} ms */
const fmtDuration = (ms) =>
  ms >= 86_400_000
    ? `${(ms / 86_400_000).toFixed(1)} d`
    : ms >= 3_600_000
      ? `${(ms / 3_600_000).toFixed(1)} h`
      : `${Math.round(ms / 60_000)} min`;
/** @param {number} micros */
const fmtMicros = (micros) => (Number.isFinite(micros) ? `${micros.toFixed(0)} µs` : "—");
/** @param {number} a @param {number} b */
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "—");

/** Linux counts process CPU time in ticks of 1/100 s (USER_HZ, the same on every Linux platform). */
const MICROS_PER_TICK = 10_000;

/**
 * CPU time (user + system) a process has used so far, in µs; NaN where /proc is not there.
 * @param {number | undefined} pid
 */
function cpuMicrosOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name, which sits in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
  } catch {
    return NaN;
  }
}

/**
 * One autocannon run against `base + path`, each request carrying the next cookie of `cookies` (or,
 * with `header`, the next value of that header: `authorization` for bearer tokens); also how much
 * CPU the server process `pid` spent per request meanwhile (less noisy than throughput on a shared machine).
 * @param {string} base @param {string} path @param {string[]} cookies @param {number} seconds @param {number} [pid] @param {string} [header]
 */
async function load(base, path, cookies, seconds, pid, header = "cookie") {
  let next = 0;
  const cpuBefore = cpuMicrosOf(pid);
  const result = await autocannon({
    url: base,
    connections: SETTINGS.connections,
    duration: seconds,
    requests: [
      {
        method: "GET",
        path,
        setupRequest: (/** @type {any} */ request) => {
          const value = cookies[next++ % cookies.length];
          return { ...request, headers: { ...request.headers, [header]: value } };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
    cpuMicrosPerRequest: (cpuMicrosOf(pid) - cpuBefore) / result.requests.total,
  };
}

/**
 * Interleaved rounds of two targets (the order flips every round), after a warm-up of each.
 * @param {{ label: string, base: string, path: string, cookies: string[], pid?: number, header?: string }[]} sides
 */
async function interleaved(sides) {
  for (const side of sides) await load(side.base, side.path, side.cookies, WARMUP_SECONDS, side.pid, side.header);
  /** @type {Awaited<ReturnType<typeof load>>[][]} */
  const runs = sides.map(() => []);
  for (let round = 0; round < SETTINGS.rounds; round++) {
    const order = round % 2 === 0 ? sides.map((_, index) => index) : sides.map((_, index) => index).reverse();
    for (const index of order) {
      const side = /** @type {(typeof sides)[number]} */ (sides[index]);
      const run = await load(side.base, side.path, side.cookies, SETTINGS.seconds, side.pid, side.header);
      runs[index]?.push(run);
      progress(
        `  round ${round + 1}/${SETTINGS.rounds} ${side.label} ${side.path}: ${fmtInt(run.rps)} req/s, p50 ${fmtWholeMs(run.p50)}, ` +
          `p99 ${fmtWholeMs(run.p99)}, CPU ${fmtMicros(run.cpuMicrosPerRequest)}/request, non-2xx ${run.non2xx}`,
      );
    }
  }
  return runs.map((list) => ({
    rps: median(list.map((run) => run.rps)),
    p50: median(list.map((run) => run.p50)),
    p99: median(list.map((run) => run.p99)),
    cpuMicrosPerRequest: median(list.map((run) => run.cpuMicrosPerRequest)),
    non2xx: list.reduce((sum, run) => sum + run.non2xx, 0),
    total: list.reduce((sum, run) => sum + run.total, 0),
    /** Each round's own figure, in round order, for ratios taken within a round. */
    rpsByRound: list.map((run) => run.rps),
  }));
}

/**
 * `a`'s requests/s over `b`'s within each round (the two ran minutes apart at most), and their
 * median: steadier than the ratio of two medians on a machine whose speed drifts between rounds.
 * @param {{ rpsByRound: number[] }} a @param {{ rpsByRound: number[] }} b
 */
function withinRounds(a, b) {
  const ratios = a.rpsByRound.map((rps, round) => rps / (b.rpsByRound[round] ?? NaN));
  return `${ratios.map((value) => value.toFixed(2)).join(", ")}; median ${median(ratios).toFixed(2)}×`;
}

/** No sign-ins measured (BENCH_ONLY left them out). */
function emptySignIns() {
  return {
    timings: /** @type {Awaited<ReturnType<typeof signIn>>["timings"][]} */ ([]),
    failures: 0,
    perSecond: NaN,
    cpuMicrosPerSignIn: NaN,
    cpuMicrosPerSignInByRound: /** @type {number[]} */ ([]),
  };
}

/**
 * Full sign-ins against each side in turn, SETTINGS.rounds rounds (the order flips every round)
 * after a short warm-up of each: sign-ins per second over all rounds, and the server process's CPU
 * time per completed sign-in (median of the rounds). The consent step is the emulator's, which runs
 * in this process, so a server's CPU is its own steps only: start, callback and `/api/me`.
 * @param {{ label: string, base: string, pid?: number }[]} sides @param {string[]} logins
 */
async function interleavedSignIns(sides, logins) {
  for (const side of sides) await signInLoop(side.base, logins, SETTINGS.signInConcurrency, WARMUP_SECONDS);
  const runs = sides.map(() => /** @type {(Awaited<ReturnType<typeof signInLoop>> & { cpuMicrosPerSignIn: number })[]} */ ([]));
  for (let round = 0; round < SETTINGS.rounds; round++) {
    const order = round % 2 === 0 ? sides.map((_, index) => index) : sides.map((_, index) => index).reverse();
    for (const index of order) {
      const side = /** @type {(typeof sides)[number]} */ (sides[index]);
      const cpuBefore = cpuMicrosOf(side.pid);
      const run = await signInLoop(side.base, logins, SETTINGS.signInConcurrency, SETTINGS.signInSeconds);
      const cpuMicrosPerSignIn = (cpuMicrosOf(side.pid) - cpuBefore) / run.timings.length;
      runs[index]?.push({ ...run, cpuMicrosPerSignIn });
      progress(
        `  round ${round + 1}/${SETTINGS.rounds} ${side.label} sign-ins: ${run.perSecond.toFixed(1)}/s, CPU ${fmtMs(cpuMicrosPerSignIn / 1000)}/sign-in, ` +
          `failed ${run.failures}${run.firstFailure ? ` (first: ${run.firstFailure})` : ""}`,
      );
    }
  }
  return runs.map((list) => {
    const seconds = list.reduce((sum, run) => sum + run.elapsedSeconds, 0);
    const timings = list.flatMap((run) => run.timings);
    return {
      timings,
      failures: list.reduce((sum, run) => sum + run.failures, 0),
      perSecond: timings.length / seconds,
      cpuMicrosPerSignIn: median(list.map((run) => run.cpuMicrosPerSignIn)),
      /** Per round, in round order: sides measured back to back, so their ratio drifts less with other load. */
      cpuMicrosPerSignInByRound: list.map((run) => run.cpuMicrosPerSignIn),
    };
  });
}

/**
 * Full sign-ins by `concurrency` loops for `seconds`.
 * @param {string} base @param {string[]} logins @param {number} concurrency @param {number} seconds
 */
async function signInLoop(base, logins, concurrency, seconds) {
  const deadline = performance.now() + seconds * 1000;
  /** @type {Awaited<ReturnType<typeof signIn>>["timings"][]} */
  const timings = [];
  let failures = 0;
  /** @type {string | null} */
  let firstFailure = null;
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          timings.push((await signIn(base, logins[next++ % logins.length] ?? "")).timings);
        } catch (error) {
          failures++;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const elapsedSeconds = (performance.now() - began) / 1000;
  return { timings, failures, firstFailure, elapsedSeconds, perSecond: timings.length / elapsedSeconds };
}

// ---------------------------------------------------------------------------------------------
// Redis.

/** @param {Redis} redis @param {string} pattern */
async function scanAll(redis, pattern) {
  /** @type {string[]} */
  const keys = [];
  let cursor = "0";
  do {
    const [nextCursor, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = nextCursor;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}

/** @param {Redis} redis @param {string[]} keys */
async function memoryUsage(redis, keys) {
  const sizes = await Promise.all(keys.map(async (key) => Number(await redis.call("MEMORY", "USAGE", key, "SAMPLES", "0"))));
  return sizes.filter((size) => Number.isFinite(size));
}

/** The session id inside an express-session cookie value `s:<id>.<signature>` (URL-encoded). @param {string} value */
function sessionIdOf(value) {
  const decoded = decodeURIComponent(value);
  if (!decoded.startsWith("s:")) return null;
  const dot = decoded.lastIndexOf(".");
  return dot > 2 ? decoded.slice(2, dot) : null;
}

/** The session id of the one express-session cookie in a Cookie header. @param {string} header */
function sessionIdInHeader(header) {
  for (const pair of header.split(/;\s*/)) {
    const id = sessionIdOf(pair.slice(pair.indexOf("=") + 1));
    if (id) return id;
  }
  throw new Error(`no session cookie in ${header}`);
}

/** express-session's signed cookie value (cookie-signature: HMAC-SHA256, base64 without padding). @param {string} id @param {string} secret */
function signedCookieValue(id, secret) {
  const signature = createHmac("sha256", secret).update(id).digest("base64").replace(/=+$/, "");
  return encodeURIComponent(`s:${id}.${signature}`);
}

// ---------------------------------------------------------------------------------------------

/** Emulator users like octocat, one per session, so every session is a different GitHub user. @param {number} count */
function benchUsers(count) {
  return Array.from({ length: count }, (_, index) => {
    const n = String(index + 1).padStart(4, "0");
    return {
      id: 20_000_000 + index,
      login: `bench-user-${n}`,
      // A realistic profile, not a minimal one: a long name and e-mail, a company, a location and a
      // bio of 129 characters (GitHub allows 160), so the Redis bytes are those of real users.
      name: `Maximiliane Konstantinopoulou-Vandenberghe ${n}`,
      email: `maximiliane.konstantinopoulou-${n}@example-corporation.com`,
      company: "@github @microsoft-research",
      location: "San Francisco, California, United States",
      bio: `Staff engineer ${n} on developer infrastructure: distributed systems, build tooling and CI. Open source maintainer. Views my own.`,
      createdAt: "2011-01-25T18:44:36Z",
      emails: [
        { email: `maximiliane.konstantinopoulou-${n}@example-corporation.com`, primary: true, verified: true, visibility: "public" },
      ],
      orgs: ["github"],
    };
  });
}

async function main() {
  // The emulator package's built entry (packages/github-emulator/dist/, which `npm run build` makes first).
  const emulatorPackage = await import("@github-login-server/github-emulator").catch((error) => ({ error }));
  if (!existsSync(join(PROJECT_ROOT, "dist/server.js")) || "error" in emulatorPackage) {
    throw new Error("dist/ is missing: run `npm run bench` (it builds first) or `npm run build`.", {
      cause: "error" in emulatorPackage ? emulatorPackage.error : undefined,
    });
  }
  const { createEmulator } = emulatorPackage;

  progress("starting redis-server");
  const redisServer = await startRedisServer();
  children.add(redisServer.process);
  running.push({ name: "redis-server", stop: () => stopRedisServer(redisServer) });
  const redis = new Redis(redisServer.url);
  running.push({ name: "redis client", stop: async () => void (await redis.quit().catch(() => redis.disconnect())) });
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "?";

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const users = benchUsers(SETTINGS.sessions);
  const client = {
    clientId: "Iv23liBenchGitHubApp",
    clientSecret: randomBytes(20).toString("hex"),
    name: "Benchmark",
    type: "github-app",
    expiringTokens: true,
    callbackUrls: [{ url: `${base}/auth/github/callback`, wildcard: false }],
  };
  // The sign-in peer (passport-github2, test/bench/passport-peer.js) is an OAuth App of its own.
  const peerPort = await freePort();
  const peerBase = `http://127.0.0.1:${peerPort}`;
  const peerClient = {
    clientId: "Ov23liBenchPassportPeer",
    clientSecret: randomBytes(20).toString("hex"),
    name: "Benchmark peer",
    type: "oauth-app",
    expiringTokens: false,
    callbackUrls: [{ url: `${peerBase}/auth/github/callback`, wildcard: false }],
  };
  progress("starting the GitHub emulator");
  const emulator = createEmulator({ clients: [client, peerClient], users, rateLimitPerHour: 1_000_000_000 });
  const emulatorServer = createServer(emulator.app);
  await new Promise((resolve, reject) => {
    emulatorServer.once("error", reject);
    emulatorServer.listen(0, "127.0.0.1", () => resolve(undefined));
  });
  running.push({
    name: "emulator",
    stop: () =>
      new Promise((resolve) => {
        emulatorServer.close(() => resolve());
        emulatorServer.closeAllConnections();
      }),
  });
  const emulatorAddress = /** @type {import("node:net").AddressInfo} */ (emulatorServer.address());
  const emulatorUrl = `http://127.0.0.1:${emulatorAddress.port}`;

  progress("starting github-login-server (dist/server.js)");
  const ours = startNode(
    "github-login-server",
    join(PROJECT_ROOT, "dist/server.js"),
    {
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: base,
      GITHUB_CLIENT_ID: client.clientId,
      GITHUB_CLIENT_SECRET: client.clientSecret,
      GITHUB_BASE_URL: emulatorUrl,
      GITHUB_API_URL: `${emulatorUrl}/api/v3`,
      REDIS_URL: redisServer.url,
      REDIS_KEY_PREFIX: KEY_PREFIX,
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      LOG_LEVEL: "info",
      // Every sign-in of the run comes from one address; the per-IP limit would stop the setup.
      AUTH_RATE_LIMIT: "off",
      ...(SETTINGS.only.has("oidc") ? oidcEnvironment() : {}),
    },
    cpuProfileOptions("ours"),
  );
  await waitForHealthy(base, ours, "github-login-server");

  progress("starting the floor server");
  const floorPort = await freePort();
  const floorBase = `http://127.0.0.1:${floorPort}`;
  const floorSecret = randomBytes(32).toString("base64url");
  const floor = startNode(
    "floor server",
    join(PROJECT_ROOT, "test/bench/floor-server.js"),
    {
      NODE_ENV: "production",
      PORT: String(floorPort),
      REDIS_URL: redisServer.url,
      FLOOR_SESSION_SECRET: floorSecret,
      FLOOR_KEY_PREFIX,
      FLOOR_COOKIE_NAME,
    },
    cpuProfileOptions("floor"),
  );
  await waitForHealthy(floorBase, floor, "floor server");

  /** @type {number | undefined} */
  let peerPid;
  if (SETTINGS.only.has("signin")) {
    progress("starting the sign-in peer (passport-github2)");
    const peer = startNode(
      "sign-in peer",
      join(PROJECT_ROOT, "test/bench/passport-peer.js"),
      {
        NODE_ENV: "production",
        PORT: String(peerPort),
        REDIS_URL: redisServer.url,
        PEER_SESSION_SECRET: randomBytes(32).toString("base64url"),
        PEER_CLIENT_ID: peerClient.clientId,
        PEER_CLIENT_SECRET: peerClient.clientSecret,
        PEER_GITHUB_URL: emulatorUrl,
        PEER_KEY_PREFIX,
      },
      cpuProfileOptions("peer"),
    );
    peerPid = peer.child.pid;
    await waitForHealthy(peerBase, peer, "sign-in peer");
  }

  // The framework's cost and the platform's limit, for /auth/check (issue: the forward-auth hot path).
  /** @type {Record<"express" | "node", string>} */
  const limitBases = { express: "", node: "" };
  /** @type {Record<"express" | "node", number | undefined>} */
  const limitPids = { express: undefined, node: undefined };
  // Every read path is measured beside them, so they run whenever one is (not only with `check`).
  if (["me", "check", "rule", "oidc"].some((name) => SETTINGS.only.has(name))) {
    for (const limit of /** @type {const} */ (["express", "node"])) {
      const port = await freePort();
      limitBases[limit] = `http://127.0.0.1:${port}`;
      const server = startNode(`${limit} limit`, join(PROJECT_ROOT, "test/bench/limit-servers.js"), {
        NODE_ENV: "production",
        PORT: String(port),
        LIMIT: limit,
      });
      limitPids[limit] = server.child.pid;
      await waitForHealthy(limitBases[limit], server, `${limit} limit`);
    }
  }

  // 1. Real sessions, by walking the sign-in flow.
  progress(`signing in ${SETTINGS.sessions} users over HTTP`);
  /** @type {{ cookie: string, profile: unknown }[]} */
  const sessions = [];
  {
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < users.length) {
          const user = users[next++];
          if (!user) break;
          const { cookie, profile } = await signIn(base, user.login);
          sessions.push({ cookie, profile });
        }
      }),
    );
  }
  emulator.resetStats();
  const ourCookies = sessions.map((session) => session.cookie);

  // 2. Redis bytes, before anything else writes to Redis.
  progress("measuring Redis");
  const ourKeys = await scanAll(redis, `${KEY_PREFIX}*`);
  const ourAllBytes = (await memoryUsage(redis, ourKeys)).reduce((sum, size) => sum + size, 0) / sessions.length;
  const ourSessionKeys = ourKeys.filter((key) => key.startsWith(`${KEY_PREFIX}sess:`));
  /** @type {Map<string, string[]>} keys other than sessions, by the segment after the prefix */
  const otherKeysByKind = new Map();
  for (const key of ourKeys) {
    if (key.startsWith(`${KEY_PREFIX}sess:`)) continue;
    const kind = key.slice(KEY_PREFIX.length).split(":")[0] ?? "?";
    otherKeysByKind.set(kind, [...(otherKeysByKind.get(kind) ?? []), key]);
  }
  const otherKeys = [];
  for (const [kind, keys] of [...otherKeysByKind].sort(([a], [b]) => a.localeCompare(b))) {
    const ttlMs = await redis.pttl(keys[0] ?? "");
    otherKeys.push({ kind, count: keys.length, bytes: median(await memoryUsage(redis, keys)), ttlMs });
  }
  const sessionIds = new Set(sessions.map((session) => sessionIdInHeader(session.cookie)));
  const ourSessionSizes = await memoryUsage(
    redis,
    ourSessionKeys.filter((key) => sessionIds.has(key.slice(`${KEY_PREFIX}sess:`.length))),
  );
  {
    // One entry as stored, so what takes its bytes can be read off the progress output.
    const sample = await redis.get(`${KEY_PREFIX}sess:${sessionIdInHeader(sessions[0]?.cookie ?? "")}`);
    progress(`one session entry as stored (${Buffer.byteLength(sample ?? "")} bytes of value): ${sample}`);
  }
  if (ourSessionSizes.length !== sessions.length) {
    progress(`note: found ${ourSessionSizes.length} session keys for ${sessions.length} session cookies under ${KEY_PREFIX}sess:`);
  }

  // 3. The floor gets the same sessions: same profile JSON, its own prefix, its own signed cookies.
  const floorCookies = [];
  const pipeline = redis.pipeline();
  for (const session of sessions) {
    const id = randomBytes(32).toString("base64url");
    const expires = new Date(Date.now() + SESSION_TTL_SECONDS * 1000).toISOString();
    const entry = {
      cookie: { originalMaxAge: SESSION_TTL_SECONDS * 1000, expires, httpOnly: true, path: "/", sameSite: "lax" },
      user: session.profile,
    };
    pipeline.set(`${FLOOR_KEY_PREFIX}${id}`, JSON.stringify(entry), "EX", SESSION_TTL_SECONDS);
    floorCookies.push(`${FLOOR_COOKIE_NAME}=${signedCookieValue(id, floorSecret)}`);
  }
  await pipeline.exec();
  const floorSessionSizes = await memoryUsage(redis, await scanAll(redis, `${FLOOR_KEY_PREFIX}*`));
  {
    const check = await fetch(`${floorBase}/api/me`, { headers: { cookie: floorCookies[0] ?? "" } });
    const same = check.ok && JSON.stringify(await check.json()) === JSON.stringify(sessions[0]?.profile);
    if (!same) throw new Error(`the floor does not answer /api/me with the same profile (status ${check.status})`);
  }

  // 4. The read paths (GET /api/me, GET /auth/check, and the check with a per-route rule every
  // bench user meets: all are in "github"), the floor's /api/me, an empty Express route and a raw
  // node:http 204, all in one interleaved run, so every read path is measured beside all three
  // baselines, and the rule beside the plain check, under the same conditions. Each session meets
  // the rule once first, which asks GitHub once; from then on it is answered from the session.
  if (SETTINGS.only.has("rule")) {
    for (const cookie of ourCookies) {
      const warm = await fetch(`${base}${RULE_PATH}`, { headers: { cookie } });
      if (warm.status !== 204) throw new Error(`${RULE_PATH} answered ${warm.status} while warming up`);
    }
    emulator.resetStats();
  }
  // One grant of the OpenID Connect client per session (after the Redis figures, which are the
  // sessions' own): its access token for userinfo, a read path; its refresh token for the token
  // endpoint below. Access tokens live PROFILE_MAX_AGE (5 min), longer than these rounds last
  // with the default knobs; with more, userinfo's non-2xx says they ran out.
  const grants = SETTINGS.only.has("oidc")
    ? (progress("handing every session to the OpenID Connect client (code exchanges)"), await oidcGrants(base, ourCookies))
    : [];
  const ourSides = [
    { name: "me", label: "ours /api/me    ", path: "/api/me" },
    { name: "check", label: "ours /auth/check", path: "/auth/check" },
    { name: "rule", label: "ours rule       ", path: RULE_PATH },
    {
      name: "oidc",
      label: "ours /oidc/me   ",
      path: "/oidc/me",
      header: "authorization",
      cookies: grants.map((grant) => `Bearer ${grant.accessToken}`),
    },
  ].filter((side) => SETTINGS.only.has(side.name));
  const readResults = new Map();
  if (ourSides.length > 0) {
    const sides = [
      ...ourSides.map((side) => ({ cookies: ourCookies, ...side, base, pid: ours.child.pid })),
      { name: "floor", label: "floor           ", base: floorBase, path: "/api/me", cookies: floorCookies, pid: floor.child.pid },
      {
        name: "express",
        label: "empty Express   ",
        base: limitBases.express,
        path: "/auth/check",
        cookies: ourCookies,
        pid: limitPids.express,
      },
      { name: "node", label: "raw node:http   ", base: limitBases.node, path: "/auth/check", cookies: ourCookies, pid: limitPids.node },
    ];
    progress(`read paths: ${SETTINGS.rounds} interleaved rounds × ${SETTINGS.seconds} s per side, ${sides.length} sides`);
    const results = await interleaved(sides);
    sides.forEach((side, index) => readResults.set(side.name, results[index]));
  }
  const [meOurs, checkOurs, ruleOurs, userinfoOurs, readFloor, readExpress, readNode] = [
    "me",
    "check",
    "rule",
    "oidc",
    "floor",
    "express",
    "node",
  ].map((name) => readResults.get(name) ?? null);
  const ruleCallsToGitHub = SETTINGS.only.has("rule") ? emulator.stats.apiRequests.length : null;

  // 5. The OpenID Connect token endpoint: code exchanges and refreshes, alternating rounds.
  const tokenEndpoint = SETTINGS.only.has("oidc")
    ? (progress(
        `OpenID Connect token endpoint: ${SETTINGS.rounds} alternating rounds × ${SETTINGS.signInSeconds} s of code exchanges and of refreshes, ${SETTINGS.signInConcurrency} concurrent`,
      ),
      await measureTokenEndpoint({
        base,
        pid: ours.child.pid,
        cookies: ourCookies,
        grants,
        rounds: SETTINGS.rounds,
        seconds: SETTINGS.signInSeconds,
        concurrency: SETTINGS.signInConcurrency,
        cpuMicrosOf,
        progress,
      }))
    : null;

  // 6. Full sign-ins, ours and the passport-github2 peer's, in interleaved rounds.
  const signInsMeasured = SETTINGS.only.has("signin");
  const logins = users.map((user) => user.login);
  const [loop, peerLoop] = signInsMeasured
    ? (progress(
        `full sign-ins: ${SETTINGS.rounds} interleaved rounds × ${SETTINGS.signInSeconds} s per side, ${SETTINGS.signInConcurrency} concurrent`,
      ),
      await interleavedSignIns(
        [
          { label: "ours", base, pid: ours.child.pid },
          { label: "peer", base: peerBase, pid: peerPid },
        ],
        logins,
      ))
    : [emptySignIns(), emptySignIns()];
  const totals = loop.timings.map((timing) => timing.total);
  const ourPart = loop.timings.map((timing) => timing.start + timing.callback + timing.me);
  const peerTotals = peerLoop.timings.map((timing) => timing.total);
  const peerPart = peerLoop.timings.map((timing) => timing.start + timing.callback + timing.me);

  // ---- the report -------------------------------------------------------------------------
  const cpu = cpus();
  const lines = [];
  lines.push(`## Benchmark: github-login-server vs a plain express-session + connect-redis floor`);
  lines.push("");
  lines.push(
    `${new Date().toISOString()} · ${cpu[0]?.model ?? "unknown CPU"} · ${cpu.length} cores · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · ` +
      `Node ${process.version} · Redis ${redisVersion} · ${platform()}/${arch()}`,
  );
  lines.push("");
  lines.push(
    `autocannon, ${SETTINGS.connections} connections, ${SETTINGS.rounds} interleaved rounds × ${SETTINGS.seconds} s per side (medians of the rounds, ` +
      `latencies in whole ms; non-2xx summed), ${SETTINGS.sessions} signed-in sessions rotated per request. Everything (servers, Redis, load generator) shares this machine.`,
  );
  lines.push("");
  lines.push("| measurement | ours | floor | ours / floor |");
  lines.push("|---|---:|---:|---:|");
  /** @typedef {Awaited<ReturnType<typeof interleaved>>[number]} LoadSummary */
  /** @param {string} label @param {LoadSummary | null} a @param {LoadSummary | null} b */
  const loadRows = (label, a, b) => {
    if (!a || !b) {
      lines.push(`| ${label} | not measured (BENCH_ONLY) | — | — |`);
      return;
    }
    lines.push(`| ${label}: requests/s | ${fmtInt(a.rps)} | ${fmtInt(b.rps)} | ${ratio(a.rps, b.rps)} |`);
    lines.push(`| ${label}: p50 latency | ${fmtWholeMs(a.p50)} | ${fmtWholeMs(b.p50)} | ${ratio(a.p50, b.p50)} |`);
    lines.push(`| ${label}: p99 latency | ${fmtWholeMs(a.p99)} | ${fmtWholeMs(b.p99)} | ${ratio(a.p99, b.p99)} |`);
    lines.push(
      `| ${label}: server CPU per request | ${fmtMicros(a.cpuMicrosPerRequest)} | ${fmtMicros(b.cpuMicrosPerRequest)} | ${ratio(a.cpuMicrosPerRequest, b.cpuMicrosPerRequest)} |`,
    );
    lines.push(
      `| ${label}: non-2xx (of requests) | ${fmtInt(a.non2xx)} of ${fmtInt(a.total)} | ${fmtInt(b.non2xx)} of ${fmtInt(b.total)} | |`,
    );
  };
  loadRows("`GET /api/me`", meOurs, readFloor);
  loadRows("`GET /auth/check` (floor: `/api/me`)", checkOurs, readFloor);
  if (checkOurs) {
    loadRows("`GET /auth/check` vs an empty Express 5 route (the framework's cost)", checkOurs, readExpress);
    loadRows("`GET /auth/check` vs a raw `node:http` 204 (the platform's limit)", checkOurs, readNode);
  }
  loadRows(`\`GET ${RULE_PATH}\` (a per-route rule; floor: \`/api/me\`)`, ruleOurs, readFloor);
  loadRows("`GET /oidc/me` (OpenID Connect userinfo, bearer access token; floor: `/api/me`)", userinfoOurs, readFloor);
  if (tokenEndpoint) lines.push(...tokenEndpointRows(tokenEndpoint, { median, percentile, fmtMs, fmtMicros }));
  else lines.push("| `POST /oidc/token` (code exchange, refresh) | not measured (BENCH_ONLY) | — | — |");
  if (checkOurs && readExpress) {
    lines.push(
      `| \`GET /auth/check\` vs an empty Express 5 route: requests/s, ours / its within each round | ${withinRounds(checkOurs, readExpress)} | | |`,
    );
  }
  if (ruleOurs && checkOurs) {
    lines.push(
      `| per-route rule vs plain \`/auth/check\`: requests/s | ${fmtInt(ruleOurs.rps)} | ${fmtInt(checkOurs.rps)} (plain) | ${ratio(ruleOurs.rps, checkOurs.rps)} |`,
    );
    lines.push(
      `| per-route rule vs plain \`/auth/check\`: requests/s, rule / plain within each round | ${withinRounds(ruleOurs, checkOurs)} | | |`,
    );
    lines.push(
      `| per-route rule vs plain \`/auth/check\`: server CPU per request | ${fmtMicros(ruleOurs.cpuMicrosPerRequest)} | ` +
        `${fmtMicros(checkOurs.cpuMicrosPerRequest)} (plain) | ${ratio(ruleOurs.cpuMicrosPerRequest, checkOurs.cpuMicrosPerRequest)} |`,
    );
    lines.push(`| per-route rule: calls to GitHub while measured | ${fmtInt(ruleCallsToGitHub ?? 0)} | — | |`);
  }
  if (!signInsMeasured) lines.push("| full sign-ins | not measured (BENCH_ONLY) | — | — |");
  else {
    const stepMedians = (/** @type {typeof loop} */ run) =>
      ["start", "consent", "callback", "me"]
        .map((step) => fmtMs(median(run.timings.map((timing) => timing[/** @type {"start"} */ (step)]))))
        .join(" / ");
    lines.push(
      `| full sign-ins/s (start → consent → callback → \`/api/me\`, ${SETTINGS.signInConcurrency} concurrent, ${SETTINGS.rounds} rounds × ${SETTINGS.signInSeconds} s; ` +
        `floor column: the passport-github2 peer) | ${loop.perSecond.toFixed(1)} (${fmtInt(loop.timings.length)} done, ${fmtInt(loop.failures)} failed) | ` +
        `${peerLoop.perSecond.toFixed(1)} (${fmtInt(peerLoop.timings.length)} done, ${fmtInt(peerLoop.failures)} failed) | ${ratio(loop.perSecond, peerLoop.perSecond)} |`,
    );
    lines.push(
      `| full sign-in: server CPU per sign-in (start + callback + \`/api/me\`; peer) | ${fmtMs(loop.cpuMicrosPerSignIn / 1000)} | ${fmtMs(peerLoop.cpuMicrosPerSignIn / 1000)} | ` +
        `${ratio(loop.cpuMicrosPerSignIn, peerLoop.cpuMicrosPerSignIn)} |`,
    );
    const roundRatios = loop.cpuMicrosPerSignInByRound.map((micros, round) => micros / (peerLoop.cpuMicrosPerSignInByRound[round] ?? NaN));
    lines.push(
      `| full sign-in: server CPU per sign-in, ours / peer's within each round (${roundRatios.map((value) => value.toFixed(2)).join(", ")}), median | | | ` +
        `${Number.isFinite(median(roundRatios)) ? `${median(roundRatios).toFixed(2)}×` : "—"} |`,
    );
    lines.push(
      `| full sign-in: p50 / p99 latency (peer) | ${fmtMs(percentile(totals, 50))} / ${fmtMs(percentile(totals, 99))} | ` +
        `${fmtMs(percentile(peerTotals, 50))} / ${fmtMs(percentile(peerTotals, 99))} | ${ratio(percentile(totals, 50), percentile(peerTotals, 50))} (p50) |`,
    );
    lines.push(
      `| full sign-in, the server's steps only (start + callback + \`/api/me\`): p50 / p99 (peer) | ${fmtMs(percentile(ourPart, 50))} / ${fmtMs(percentile(ourPart, 99))} | ` +
        `${fmtMs(percentile(peerPart, 50))} / ${fmtMs(percentile(peerPart, 99))} | ${ratio(percentile(ourPart, 50), percentile(peerPart, 50))} (p50) |`,
    );
    lines.push(
      `| full sign-in, step medians: start / consent (emulator) / callback / \`/api/me\` (peer) | ${stepMedians(loop)} | ${stepMedians(peerLoop)} | |`,
    );
  }
  const ourBytes = median(ourSessionSizes);
  const floorBytes = median(floorSessionSizes);
  lines.push(
    `| Redis bytes per session (\`MEMORY USAGE\`, median of ${ourSessionSizes.length} / ${floorSessionSizes.length}) | ${fmtInt(ourBytes)} | ${fmtInt(floorBytes)} | ${ratio(ourBytes, floorBytes)} |`,
  );
  const floorAllBytes = floorSessionSizes.reduce((sum, size) => sum + size, 0) / floorSessionSizes.length;
  lines.push(
    `| Redis bytes per signed-in user, all keys (sum of \`MEMORY USAGE\` / users) | ${fmtInt(ourAllBytes)} | ${fmtInt(floorAllBytes)} | ${ratio(ourAllBytes, floorAllBytes)} |`,
  );
  if (otherKeys.length === 0) lines.push(`| other Redis keys per signed-in user (each signed in once) | 0 | 0 | |`);
  for (const { kind, count, bytes, ttlMs } of otherKeys) {
    const ttlText = ttlMs >= 0 ? `TTL ${fmtDuration(ttlMs)}` : "no TTL";
    lines.push(
      `| other Redis keys per signed-in user (each signed in once): \`${KEY_PREFIX}${kind}:…\` | ${(count / sessions.length).toFixed(2)} (${fmtInt(bytes)} bytes each, ${ttlText}) | 0 | |`,
    );
  }
  if (readFloor && readExpress && readNode) {
    const paths = /** @type {[string, LoadSummary | null][]} */ ([
      ["`GET /api/me`", meOurs],
      ["`GET /auth/check`", checkOurs],
      [`\`GET ${RULE_PATH}\``, ruleOurs],
      ["`GET /oidc/me` (userinfo)", userinfoOurs],
    ]);
    lines.push("", ...baselineTable(paths, readFloor, readExpress, readNode));
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Each read path measured beside all three baselines of the same rounds: requests/s, latency and
 * CPU, and its requests/s as a multiple of each baseline's.
 * @param {[string, Awaited<ReturnType<typeof load>> | null][]} paths
 * @param {Awaited<ReturnType<typeof load>>} floor @param {Awaited<ReturnType<typeof load>>} express @param {Awaited<ReturnType<typeof load>>} node
 */
function baselineTable(paths, floor, express, node) {
  const rows = [
    "| read path (same rounds) | requests/s | p50 / p99 | server CPU per request | × the floor | × an empty Express 5 route | × a raw `node:http` 204 |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const row = (/** @type {string} */ label, /** @type {Awaited<ReturnType<typeof load>>} */ run, /** @type {boolean} */ ours) =>
    `| ${label} | ${fmtInt(run.rps)} | ${fmtWholeMs(run.p50)} / ${fmtWholeMs(run.p99)} | ${fmtMicros(run.cpuMicrosPerRequest)} | ` +
    (ours ? `${ratio(run.rps, floor.rps)} | ${ratio(run.rps, express.rps)} | ${ratio(run.rps, node.rps)} |` : "| | |");
  for (const [label, run] of paths) if (run) rows.push(row(label, run, true));
  rows.push(row("the floor's `/api/me` (express-session + connect-redis)", floor, false));
  rows.push(row("an empty Express 5 route (204)", express, false));
  rows.push(row("a raw `node:http` 204", node, false));
  return rows;
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanUp();
}
