/**
 * Summarizes a V8 `.cpuprofile` (as written by `node --cpu-prof`, see `npm run bench -- --profile`):
 * self time by package, and the functions with the most self and total (inclusive) time.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 30] [--filter text]
 *
 * `--filter` keeps only functions whose name or file contains the text (e.g. `parlor`, `helmet`).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  options: { top: { type: "string", default: "30" }, filter: { type: "string" } },
  allowPositionals: true,
});
const file = positionals[0];
if (!file) {
  console.error("usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--filter text]");
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

function where(frame: CallFrame): string {
  const url = frame.url;
  if (url === "") return "";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm !== -1) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return `${pkg}/${rest.slice(rest[0]!.startsWith("@") ? 2 : 1).join("/")}`;
  }
  const dist = url.indexOf("/packages/server/dist/");
  if (dist !== -1) return `parlor/${url.slice(dist + "/packages/server/dist/".length)}`;
  const bench = url.indexOf("/bench/");
  if (bench !== -1) return `bench/${url.slice(bench + "/bench/".length)}`;
  return url.replace(/^file:\/\//, "");
}

function category(frame: CallFrame): string {
  const w = where(frame);
  if (w === "") return frame.functionName.startsWith("(") ? frame.functionName : "(native / V8 builtins)";
  if (w.startsWith("node:")) return "node core (http, net, streams…)";
  const slash = w.indexOf("/");
  const pkg = w.startsWith("@") ? w.split("/").slice(0, 2).join("/") : w.slice(0, slash === -1 ? undefined : slash);
  return pkg;
}

function key(frame: CallFrame): string {
  return `${frame.functionName || "(anonymous)"}  ${where(frame)}:${frame.lineNumber + 1}`;
}

const self = new Map<string, number>();
const total = new Map<string, number>();
const byCategory = new Map<string, number>();
let all = 0;
let idle = 0;

profile.samples.forEach((sampleId, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const leaf = byId.get(sampleId)!;
  if (leaf.callFrame.functionName === "(idle)") {
    idle += delta;
    return;
  }
  all += delta;
  const leafKey = key(leaf.callFrame);
  self.set(leafKey, (self.get(leafKey) ?? 0) + delta);
  const cat = category(leaf.callFrame);
  byCategory.set(cat, (byCategory.get(cat) ?? 0) + delta);
  const seen = new Set<string>();
  for (let id: number | undefined = sampleId; id !== undefined; id = parent.get(id)) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === "(root)") continue;
    const k = key(node.callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + delta);
  }
});

const pct = (us: number) => `${((100 * us) / all).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const matches = (k: string) => values.filter === undefined || k.toLowerCase().includes(values.filter.toLowerCase());

console.log(`${file}\nbusy ${ms(all)}, idle ${ms(idle)} (percentages are of busy time)\n`);
console.log("self time by package:");
for (const [cat, us] of [...byCategory].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)} ${ms(us)}  ${cat}`);
console.log("\nfunctions by self time:");
for (const [k, us] of [...self]
  .filter(([k]) => matches(k))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`  ${pct(us)} ${ms(us)}  ${k}`);
console.log("\nfunctions by total (inclusive) time:");
for (const [k, us] of [...total]
  .filter(([k]) => matches(k))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`  ${pct(us)} ${ms(us)}  ${k}`);
