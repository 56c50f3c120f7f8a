/** Shared pieces of the benchmarks: statistics, the result table, and processes to measure. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "../..");

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
export const median = (samples: number[]) => percentile(samples, 50);

export type Row = { figure: string; value: string; baseline: string; ratio: string; target: string; ok: boolean | null };
export const rows: Row[] = [];

/** Records a line of the table; `lowerIsBetter` decides how the target ratio is read. */
export function record(figure: string, value: number, unit: string, baselineName: string, baseline: number, target: { ratio?: number; absolute?: number; lowerIsBetter: boolean }): void {
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
  rows.push({ figure, value: `${fmt(value)} ${unit}`, baseline: `${baselineName}: ${fmt(baseline)} ${unit}`, ratio: `${ratio.toFixed(2)}×`, target: parts.join(", ") || "—", ok });
  console.error(`  measured ${figure}: ${fmt(value)} ${unit} (baseline ${fmt(baseline)})`);
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function printTable(): void {
  const header = ["figure", "bunhands", "baseline (same run)", "ratio", "target", "met"];
  const lines = rows.map((r) => [r.figure, r.value, r.baseline, r.ratio, r.target, r.ok === null ? "—" : r.ok ? "yes" : "NO"]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(line(l));
}

export function tempDir(): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), "bunhands-bench-"));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts a process that prints "listening on http://HOST:PORT" (or "PORT N") and waits for that line. */
export async function startProcess(cmd: string[], env: Record<string, string> = {}): Promise<{ proc: Subprocess<"ignore", "pipe", "inherit">; port: number; startedMs: number }> {
  const t0 = performance.now();
  const proc = Bun.spawn(cmd, { cwd: ROOT, env: { ...process.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd.join(" ")} exited before listening: ${text}`);
    text += new TextDecoder().decode(value);
    const match = text.match(/listening on http:\/\/[^:]+:(\d+)|PORT (\d+)/);
    if (match) {
      reader.releaseLock();
      return { proc, port: Number(match[1] ?? match[2]), startedMs: performance.now() - t0 };
    }
  }
}

export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
}

/** The server's resident memory, from /proc. */
export function rssKb(pid: number): number {
  const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string;
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? Number.NaN);
}
