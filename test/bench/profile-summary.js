// Where the time went in a V8 CPU profile (`node --cpu-prof`, e.g. from BENCH_CPU_PROFILE_DIR):
// self time by owner (an npm package, Node's own code, this server's files, GC, idle) and the
// busiest functions. Idle time is left out of the percentages, so they are shares of busy time.
// Then the same time by component (Node HTTP, routing, cookies, Redis client, JSON, logging, ...):
// each sample is charged to the innermost frame on its stack that is not Node's own code, so the
// socket writes ioredis asks for count as Redis client and the fetch octokit makes as GitHub client;
// samples with nothing but Node's own code on the stack (the HTTP parser, timers) are Node HTTP.
//
//   node test/bench/profile-summary.js <file.cpuprofile> [how many functions, default 25]
import { readFileSync } from "node:fs";

const [file, topArgument] = process.argv.slice(2);
if (!file) {
  console.error("usage: node test/bench/profile-summary.js <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArgument ?? 25);

/** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[], samples: number[], timeDeltas: number[] }} */
const profile = JSON.parse(readFileSync(file, "utf8"));
const nodesById = new Map(profile.nodes.map((node) => [node.id, node]));

/** Each node's parent, to walk a sample's stack from the top down. */
const parentOf = new Map();
for (const node of profile.nodes)
  for (const child of /** @type {{ children?: number[] }} */ (node).children ?? []) parentOf.set(child, node.id);

/** Self time in µs per node id: each sample's time goes to the node that was on top of the stack. */
const selfMicros = new Map();
profile.samples.forEach((id, index) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});

/** Who owns a frame: a package, Node itself, a file of this project, or a V8 pseudo-frame. @param {string} url @param {string} name */
function ownerOf(url, name) {
  if (!url) return name.startsWith("(") ? name : "(native)";
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1] ?? url;
  if (url.startsWith("node:")) return "node (built-in modules)";
  const ownFile = /\/(dist|src|test)\/(.+)$/.exec(url);
  return ownFile ? `${ownFile[1]}/${ownFile[2]}` : url;
}

const byOwner = new Map();
const byFunction = new Map();
let busy = 0;
let idle = 0;
for (const [id, micros] of selfMicros) {
  const node = nodesById.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === "(idle)") {
    idle += micros;
    continue;
  }
  busy += micros;
  const owner = ownerOf(url, functionName);
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros);
  const label = `${functionName || "(anonymous)"} · ${owner}${url ? `:${lineNumber + 1}` : ""}`;
  byFunction.set(label, (byFunction.get(label) ?? 0) + micros);
}

const share = (micros) => `${((100 * micros) / busy).toFixed(1).padStart(5)} %`;
const sorted = (map) => [...map].sort(([, a], [, b]) => b - a);

console.log(`${file}: ${(busy / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`);
console.log("\nself time by owner (share of busy time):");
for (const [owner, micros] of sorted(byOwner).slice(0, 30)) console.log(`  ${share(micros)}  ${owner}`);
console.log(`\nbusiest ${top} functions (self time):`);
for (const [label, micros] of sorted(byFunction).slice(0, top)) console.log(`  ${share(micros)}  ${label}`);

/**
 * The component a frame belongs to, by its owner (package or file); null for Node's own code, which
 * is charged to its caller. fetch (undici, with its wasm HTTP parser) is Node's code too, but only
 * the GitHub client uses it, often from promise callbacks with no caller on the stack.
 * @param {string} owner @param {string} name @param {string} url
 */
function componentOf(owner, name, url) {
  if (owner === "(garbage collector)") return "GC";
  if (owner === "(program)") return "V8 (program: compiling, runtime)";
  if (owner === "(root)") return null;
  if (/undici|^wasm:/.test(url)) return "GitHub client (octokit request, fetch)";
  if (owner === "node (built-in modules)" || owner === "(native)")
    return name === "parse" || name === "stringify" ? "JSON (parse/stringify)" : null;
  /** @type {[RegExp, string][]} */
  const table = [
    [
      /^(express|router|path-to-regexp|parseurl|finalhandler|send|serve-static|qs|body-parser|type-is|accepts|negotiator|mime-types|mime-db|content-type|on-finished|encodeurl|escape-html|vary|etag|fresh|range-parser|statuses|depd|http-errors|merge-descriptors|utils-merge)$|dist\/http\/(route-table|negotiation|error-handler|error-outcomes)/,
      "routing (Express, router)",
    ],
    [/^(cookie|cookie-signature)$|dist\/http\/(cookies|session-cookie)/, "cookies"],
    [
      /^(express-session|on-headers|uid-safe|random-bytes)$|dist\/http\/(session-middleware|session-helpers)|dist\/store\/express-session-store/,
      "express-session",
    ],
    [/^(passport|passport-oauth2|passport-github2|passport-strategy|oauth|base64url)$/, "passport (strategy, node-oauth)"],
    [
      /^(ioredis|@ioredis\/.*|redis-parser|redis-errors|standard-as-callback|cluster-key-slot|denque|lodash\..*|connect-redis)$|dist\/store\//,
      "Redis client (ioredis, stores)",
    ],
    [
      /^(pino|@pinojs\/.*|pino-std-serializers|sonic-boom|fast-redact|quick-format-unescaped|atomic-sleep|safe-stable-stringify|thread-stream|on-exit-leak-free)$|dist\/(logger|http\/request-logging|auth\/audit)/,
      "logging (pino)",
    ],
    [/^(prom-client|tdigest|bintrees)$|dist\/metrics/, "metrics (prom-client)"],
    [/^helmet$|dist\/http\/security-headers/, "headers (helmet, security headers)"],
    [
      /^(@octokit\/.*|json-with-bigint|universal-user-agent|before-after-hook|fast-content-type-parse)$|dist\/github\//,
      "GitHub client (octokit request, fetch)",
    ],
    [/dist\/(sealer|auth\/(sign-in-attempt|pkce|session-record))/, "crypto (sealing, PKCE, state)"],
  ];
  for (const [pattern, component] of table) if (pattern.test(owner)) return component;
  return owner.startsWith("dist/") || owner.startsWith("test/") ? "this server's own code (other)" : `other packages`;
}

const byComponent = new Map();
profile.samples.forEach((id, index) => {
  const micros = profile.timeDeltas[index] ?? 0;
  const top = nodesById.get(id);
  if (!top || top.callFrame.functionName === "(idle)") return;
  let component = null;
  for (let nodeId = id; component === null && nodeId !== undefined; nodeId = parentOf.get(nodeId)) {
    const frame = nodesById.get(nodeId)?.callFrame;
    if (frame) component = componentOf(ownerOf(frame.url, frame.functionName), frame.functionName, frame.url);
  }
  component ??= "Node HTTP (parser, sockets, timers)";
  byComponent.set(component, (byComponent.get(component) ?? 0) + micros);
});
console.log("\ntime by component (each sample charged to the innermost frame outside Node's own code):");
for (const [component, micros] of sorted(byComponent)) console.log(`  ${share(micros)}  ${component}`);
