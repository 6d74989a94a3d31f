// Where the time went in a V8 CPU profile (`node --cpu-prof`, e.g. from BENCH_CPU_PROFILE_DIR):
// self time by owner (an npm package, Node's own code, this server's files, GC, idle) and the
// busiest functions. Idle time is left out of the percentages, so they are shares of busy time.
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
