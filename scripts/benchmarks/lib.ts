/** Shared pieces of the benchmarks: statistics and the one result table. */
import { join } from "node:path";
import { tempDir as tempFolder } from "../../test/support/temp.ts";

export const ROOT = join(import.meta.dir, "../..");

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
export const median = (samples: number[]) => percentile(samples, 50);

/** Runs `fn` `count` times one after another; returns each duration in µs. */
export async function timeEach(count: number, fn: (i: number) => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push((performance.now() - t0) * 1000);
  }
  return times;
}

export type Target = { ratio?: number; absolute?: number; lowerIsBetter: boolean };
export type Row = { figure: string; value: string; baseline: string; ratio: string; target: string; ok: boolean | null };
export const rows: Row[] = [];

/** Records a line of the table; `lowerIsBetter` decides how the target ratio is read. */
export function record(figure: string, value: number, unit: string, baselineName: string, baseline: number, target: Target): void {
  const ratio = value / baseline;
  let ok: boolean | null = null;
  const parts: string[] = [];
  if (target.ratio !== undefined) {
    ok = target.lowerIsBetter ? ratio <= target.ratio : ratio >= target.ratio;
    parts.push(`${target.lowerIsBetter ? "≤" : "≥"} ${target.ratio}×`);
  }
  if (target.absolute !== undefined) {
    const absOk = target.lowerIsBetter ? value <= target.absolute : value >= target.absolute;
    ok = ok === null ? absOk : ok && absOk;
    parts.push(`${target.lowerIsBetter ? "≤" : "≥"} ${fmt(target.absolute)} ${unit}`);
  }
  rows.push({ figure, value: `${fmt(value)} ${unit}`, baseline: `${baselineName}: ${fmt(baseline)} ${unit}`, ratio: Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "—", target: parts.join(", ") || "—", ok });
  console.error(`  measured ${figure}: ${fmt(value)} ${unit} (baseline ${fmt(baseline)})`);
}

/** A figure that could not be measured here: printed as a row saying why, never as a number. */
export function notMeasured(figure: string, why: string): void {
  rows.push({ figure, value: "not measured", baseline: why, ratio: "—", target: "—", ok: null });
  console.error(`  not measured ${figure}: ${why}`);
}

/** Runs one part of a suite; a failure becomes a row saying what failed instead of ending the run. */
export async function part(figure: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    notMeasured(figure, `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
  }
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString("en-US");
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function printTable(): void {
  const header = ["figure", "bunhands", "baseline (same run)", "ratio", "target", "met"];
  const lines = rows.map((r) => [r.figure, r.value, r.baseline, r.ratio, r.target, r.ok === null ? "—" : r.ok ? "yes" : "NO"]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.replaceAll("|", "\\|").padEnd(widths[i] as number)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(line(l));
}

export const tempDir = (prefix = "bunhands-bench-") => tempFolder(prefix);
