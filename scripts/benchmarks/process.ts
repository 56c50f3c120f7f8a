/** Processes the benchmarks measure: starting them, finding their port, their memory, stopping them. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROOT, tempDir } from "./lib.ts";

/** Every process the benchmarks started and have not seen exit: killed when the benchmark is interrupted. */
const running = new Set<Subprocess>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const proc of running) proc.kill("SIGKILL");
    process.exit(130);
  });
}

/** Tracks a process so an interrupted benchmark leaves none behind. */
export function track<T extends Subprocess>(proc: T): T {
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  return proc;
}

export type Started = { proc: Subprocess<"ignore", "pipe", "inherit">; port: number; startedMs: number; output: () => string };

/**
 * Starts a process and waits for the line that names its port ("listening on http://HOST:PORT" or
 * "PORT N"). Its stdout is drained afterwards so that a chatty process never blocks on a full pipe.
 */
export async function startProcess(cmd: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Started> {
  const t0 = performance.now();
  const proc = track(Bun.spawn(cmd, { cwd, env: { ...process.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "inherit" }));
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  // A process that never says where it listens is stopped, and the read below ends.
  const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(timer);
      throw new Error(`${cmd.join(" ")} exited (or was stopped after 60 s) before listening: ${text.slice(-500)}`);
    }
    text += decoder.decode(value, { stream: true });
    const match = text.match(/listening on http:\/\/[^\s]+:(\d+)|PORT (\d+)/);
    if (!match) continue;
    clearTimeout(timer);
    const startedMs = performance.now() - t0;
    void (async () => {
      for (;;) {
        const next = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (next.done) return;
        text += decoder.decode(next.value, { stream: true });
        if (text.length > 100_000) text = text.slice(-50_000);
      }
    })();
    return { proc, port: Number(match[1] ?? match[2]), startedMs, output: () => text };
  }
}

export type Bunhands = Started & { url: string; wsUrl: string; stateDir: string; stop(): Promise<void> };

/**
 * The bunhands server (from source, or a given executable) on a free port with its own temp folders.
 * With BENCH_CPU_PROF=DIR, a server run from source writes a markdown CPU profile into DIR when it exits.
 */
export async function startBunhands(env: Record<string, string> = {}, command: string[] = ["bun", "src/main.ts"]): Promise<Bunhands> {
  const dir = tempDir("bunhands-bench-server-");
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir && command[0] === "bun") command = ["bun", "--cpu-prof-md", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=250", ...command.slice(1)];
  const stateDir = env.STATE_DIR ?? join(dir.path, "state");
  const started = await startProcess(command, {
    PORT: "0",
    HOST: "127.0.0.1",
    STATE_DIR: stateDir,
    WORKSPACE_BASE: join(dir.path, "workspace"),
    RUNTIME: "local",
    LOG_LEVEL: "error",
    POOL_SIZE: "0",
    RATE_LIMIT_WS_PER_S: "1000000",
    RATE_LIMIT_HTTP_PER_MIN: "1000000",
    ...env,
  });
  const url = `http://127.0.0.1:${started.port}`;
  return {
    ...started,
    url,
    wsUrl: url.replace(/^http/, "ws"),
    stateDir,
    async stop() {
      await stopProcess(started.proc);
      dir.cleanup();
    },
  };
}

/** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
export async function stopProcess(proc: Subprocess, graceMs = 15_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!exited) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

/**
 * Polls GET url until it answers 200; returns the ms from `since` (a performance.now() value) to that
 * answer. Each attempt is abandoned after `attemptMs`: a server may accept a connection while it starts
 * and never answer that request (opencode does), so a client retries.
 */
export async function waitForOk(url: string, since: number, timeoutMs = 60_000, attemptMs = 300): Promise<number> {
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(attemptMs) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // Not listening yet, or not answering yet.
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await Bun.sleep(1);
  }
}

/** A port that was free a moment ago (for processes that must be told their port up front). */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = server.port as number;
  server.stop(true);
  return port;
}

/** The resident memory of one process, in KiB, from /proc. */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? Number.NaN);
}

/** Every descendant of a process (children, their children…), from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(name));
      parents.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** The resident memory of a process and all its descendants, in KiB. */
export function rssTreeKb(pid: number): number {
  let total = rssKb(pid);
  for (const child of descendants(pid)) {
    try {
      total += rssKb(child);
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command name: state is field 3 of the whole line, utime 14 and stime 15.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
