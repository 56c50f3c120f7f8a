/** Runs every benchmark and prints one table: each figure beside its baseline measured in the same run. */
import { benchBinary } from "./binary.ts";
import { benchFanout } from "./fanout.ts";
import { benchFoundation } from "./foundation.ts";
import { printTable } from "./lib.ts";
import { benchMemory } from "./memory.ts";
import { benchReplay } from "./replay.ts";
import { benchRuntimes } from "./runtimes.ts";

const only = process.argv.slice(2);
const suites: Record<string, () => Promise<void>> = {
  foundation: benchFoundation,
  fanout: benchFanout,
  memory: benchMemory,
  replay: benchReplay,
  runtimes: benchRuntimes,
  binary: benchBinary,
};
const unknown = only.filter((name) => !(name in suites));
if (unknown.length) {
  console.error(`unknown suite ${unknown.join(", ")}; the suites are: ${Object.keys(suites).join(", ")}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  await run();
}
printTable();
