/** Runs every benchmark and prints one table: each figure beside its baseline measured in the same run. */
import { benchFoundation } from "./foundation.ts";
import { printTable } from "./lib.ts";

const only = process.argv[2];
const suites: Record<string, () => Promise<void>> = { foundation: benchFoundation };
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  await run();
}
printTable();
