/** The compiled binary's cold start to its first 200 on /health and its idle memory, beside a compiled hello-world server. */
import { join } from "node:path";
import { ensureBinary } from "./binary-build.ts";
import { median, record, ROOT, tempDir } from "./lib.ts";
import { freePort, rssTreeKb, stopProcess, track, waitForOk } from "./process.ts";
import { joinConversation, thinkMessage, type Frame } from "./socket.ts";

/** Cold starts of each server per row. */
const STARTS = 11;

export type StartSample = { startMs: number; idleRssKb: number };

export type ServerCommand = {
  cmd: (dir: string, port: number) => string[];
  env: (dir: string, port: number) => Record<string, string>;
  healthPath: string;
  cwd?: (dir: string) => string;
};

type Started = { port: number; pid: number; t0: number; startMs: number };

/**
 * Starts a server in a fresh folder, times spawn → first 200 on its health route, runs `measure` on it
 * (t0 is the spawn), then stops it and removes the folder.
 */
async function withFreshServer<T>(server: ServerCommand, measure: (started: Started) => Promise<T>): Promise<T> {
  const dir = tempDir("bunhands-bench-start-");
  const port = freePort();
  try {
    const t0 = performance.now();
    const proc = track(Bun.spawn(server.cmd(dir.path, port), {
      cwd: server.cwd?.(dir.path) ?? dir.path,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...server.env(dir.path, port) },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
    }));
    try {
      const startMs = await waitForOk(`http://127.0.0.1:${port}${server.healthPath}`, t0);
      return await measure({ port, pid: proc.pid, t0, startMs });
    } finally {
      await stopProcess(proc);
    }
  } finally {
    dir.cleanup();
  }
}

/** The cold start, and the resident memory of the server's whole process tree after `idleMs` idle. */
export function measureStart(server: ServerCommand, idleMs: number): Promise<StartSample> {
  return withFreshServer(server, async ({ pid, startMs }) => {
    await Bun.sleep(idleMs);
    return { startMs, idleRssKb: rssTreeKb(pid) };
  });
}

/** Alternates the servers (a warm-up each first) so a busy moment of the machine hits both alike. */
export async function measureStarts(servers: ServerCommand[], rounds: number, idleMs: number): Promise<StartSample[][]> {
  for (const server of servers) await measureStart(server, 0);
  const samples: StartSample[][] = servers.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, server] of servers.entries()) samples[i]?.push(await measureStart(server, idleMs));
  }
  return samples;
}

/**
 * The start as a client lives it: spawn → /health → a WebSocket joined and a think answered (the first
 * join creates a conversation; the first think runs the event path cold).
 */
function measureFirstThink(binary: string): Promise<number> {
  return withFreshServer(bunhandsBinaryCommand(binary), async ({ port, t0 }) => {
    const { ws } = await joinConversation(`ws://127.0.0.1:${port}`);
    await new Promise<void>((resolve) => {
      ws.onmessage = (e) => {
        if ((JSON.parse(String(e.data)) as Frame).observation === "think") resolve();
      };
      ws.send(thinkMessage(0));
    });
    const ms = performance.now() - t0;
    ws.close();
    return ms;
  });
}

export const summarize = (samples: StartSample[]) => ({ startMs: median(samples.map((s) => s.startMs)), idleMb: median(samples.map((s) => s.idleRssKb)) / 1024 });

/** The bunhands binary in a fresh folder: its own state, workspaces and HOME there, local sandbox. */
export function bunhandsBinaryCommand(binary: string): ServerCommand {
  return {
    cmd: () => [binary, "serve"],
    env: (dir, port) => ({ HOME: dir, PORT: String(port), STATE_DIR: join(dir, "state"), WORKSPACE_BASE: join(dir, "workspace"), RUNTIME: "local", LOG_LEVEL: "error" }),
    healthPath: "/health",
  };
}

async function compile(source: string, outfile: string, flags: string[] = []): Promise<string> {
  const build = Bun.spawn(["bun", "build", "--compile", ...flags, source, "--outfile", outfile], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [err, code] = await Promise.all([new Response(build.stderr).text(), build.exited]);
  if (code !== 0) throw new Error(`compiling ${source} failed: ${err.slice(-1000)}`);
  return outfile;
}

/**
 * The floor of a cold start for a program of bunhands' size: the hello-world server with all of bunhands'
 * server code compiled in (as scripts/build compiles it) behind an import that never runs.
 */
async function compileHelloWithOurCode(outDir: string): Promise<string> {
  const source = join(outDir, "hello-with-our-code.ts");
  const hello = await Bun.file(join(ROOT, "scripts/benchmarks/hello-server.ts")).text();
  await Bun.write(source, `if (process.env.BUNHANDS_NEVER_SET) await import(${JSON.stringify(join(ROOT, "src/server/server.ts"))});\n${hello}`);
  return compile(source, join(outDir, "hello-with-our-code"), ["--minify", "--bytecode", "--format=esm"]);
}

export async function benchBinary(): Promise<void> {
  console.error("binary: building dist/bunhands (when stale) and a hello-world server");
  const binary = await ensureBinary();
  const buildDir = tempDir("bunhands-bench-hello-");
  try {
    const hello = await compile(join(ROOT, "scripts/benchmarks/hello-server.ts"), join(buildDir.path, "hello-server"));
    const floor = await compileHelloWithOurCode(buildDir.path);
    const helloLike = (file: string): ServerCommand => ({ cmd: () => [file], env: (dir, port) => ({ PORT: String(port), STATE_DIR: join(dir, "state") }), healthPath: "/health" });
    console.error("binary: cold starts, alternating");
    // The hello-world's own median of 7 moved between 12.0 and 16.9 ms across one session's runs on this shared machine.
    const [ours, baseline, sized] = (await measureStarts([bunhandsBinaryCommand(binary), helloLike(hello), helloLike(floor)], STARTS, 2000)).map(summarize);
    if (!ours || !baseline || !sized) throw new Error("no samples");
    record(`binary cold start → first 200 on /health (empty STATE_DIR), median of ${STARTS}`, ours.startMs, "ms", "compiled hello-world server + SQLite WAL", baseline.startMs, { ratio: 1.5, lowerIsBetter: true });
    record("cold start of the hello-world server with bunhands' code compiled in, never run (the floor for its size)", sized.startMs, "ms", "compiled hello-world server + SQLite WAL", baseline.startMs, { lowerIsBetter: true });
    const firstThinks: number[] = [];
    for (let round = 0; round < STARTS; round++) firstThinks.push(await measureFirstThink(binary));
    record(`binary cold start → a WebSocket joined and a think answered, median of ${STARTS}`, median(firstThinks), "ms", "compiled hello-world server + SQLite WAL (to /health)", baseline.startMs, { lowerIsBetter: true });
    record("binary idle memory (RSS, 2 s after start)", ours.idleMb, "MB", "compiled hello-world server + SQLite WAL", baseline.idleMb, { absolute: 60, lowerIsBetter: true });
  } finally {
    buildDir.cleanup();
  }
}
