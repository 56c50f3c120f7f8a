/**
 * Runs every benchmark and prints one table: each figure beside its baseline measured in the same run.
 * Usage: scripts/bench [suite…]   (suites: see SUITES; none named = all)
 */
import { cpus, loadavg, release, totalmem } from "node:os";
import { benchAgent } from "./agent.ts";
import { benchBinary } from "./binary.ts";
import { benchFanout } from "./fanout.ts";
import { benchFoundation } from "./foundation.ts";
import { part, printTable } from "./lib.ts";
import { benchMemory } from "./memory.ts";
import { benchPeer } from "./peer.ts";
import { benchReplay } from "./replay.ts";
import { benchRuntimes } from "./runtimes.ts";

const SUITES: Record<string, () => Promise<void>> = {
  foundation: benchFoundation,
  fanout: benchFanout,
  memory: benchMemory,
  replay: benchReplay,
  runtimes: benchRuntimes,
  binary: benchBinary,
  agent: benchAgent,
  peer: benchPeer,
};

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in SUITES));
if (unknown.length) {
  console.error(`unknown suite ${unknown.join(", ")}; the suites are: ${Object.keys(SUITES).join(", ")}`);
  process.exit(2);
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}, Bun ${Bun.version}`);
console.log(`load average at start (1/5/15 min): ${load()}`);
const t0 = performance.now();
for (const [name, run] of Object.entries(SUITES)) {
  if (only.length && !only.includes(name)) continue;
  await part(`suite ${name}`, run);
}
console.log(`load average at end (1/5/15 min): ${load()}; took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
printTable();
