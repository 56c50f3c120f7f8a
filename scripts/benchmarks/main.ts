/** Runs every benchmark and prints one table: each figure beside its baseline measured in the same run. */
import { benchFanout } from "./fanout.ts";
import { benchFoundation } from "./foundation.ts";
import { printTable } from "./lib.ts";

const only = process.argv.slice(2);
const suites: Record<string, () => Promise<void>> = {
  foundation: benchFoundation,
  fanout: benchFanout,
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
