/** Foundation figures: WebSocket round-trip, event throughput, and `run echo hi`, each beside a raw baseline. */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { median, openSocket, percentile, record, startProcess, tempDir } from "./lib.ts";

type Frame = { id?: number; cause?: number | null; observation?: string; type?: string; action?: string; conversation_id?: string };

/** Sends one message at a time and waits for the frame `done` says ends it; returns round-trip times in µs. */
async function roundTrips(ws: WebSocket, count: number, message: () => string, done: (frame: Frame) => boolean): Promise<number[]> {
  const times: number[] = [];
  let resolveOne: (() => void) | undefined;
  ws.onmessage = (e) => {
    const frame = JSON.parse(String(e.data)) as Frame;
    if (done(frame)) resolveOne?.();
  };
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      resolveOne = resolve;
      ws.send(message());
    });
    times.push((performance.now() - t0) * 1000);
  }
  return times;
}

function rawSingleCommitUs(dir: string, count: number): number[] {
  const db = new Database(join(dir, "raw.sqlite"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE e (c TEXT, id INTEGER, json TEXT, PRIMARY KEY (c, id))");
  const insert = db.prepare("INSERT INTO e VALUES (?, ?, ?)");
  const payload = JSON.stringify({ id: 0, timestamp: new Date().toISOString(), source: "user", action: "think", args: { thought: "x" }, message: "x" });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    db.transaction(() => insert.run("c", i, payload))();
    times.push((performance.now() - t0) * 1000);
  }
  db.close();
  return times;
}

async function connectConversation(base: string): Promise<{ ws: WebSocket; id: string }> {
  const ws = await openSocket(`${base}/ws`);
  const id = await new Promise<string>((resolve) => {
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as Frame;
      if (frame.type === "connected") resolve(String(frame.conversation_id));
    };
  });
  return { ws, id };
}

/** Several clients pipelining think actions; returns events stored and published per second. */
async function eventThroughput(base: string, clients: number, actionsEach: number, window: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connectConversation(base)));
  const t0 = performance.now();
  await Promise.all(
    sockets.map(
      ({ ws }) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          let answered = 0;
          const send = () => ws.send(JSON.stringify({ action: "think", args: { thought: `t${sent++}` } }));
          ws.onmessage = (e) => {
            const frame = JSON.parse(String(e.data)) as Frame;
            if (frame.observation !== "think") return;
            answered++;
            if (answered === actionsEach) return resolve();
            if (sent < actionsEach) send();
          };
          for (let i = 0; i < Math.min(window, actionsEach); i++) send();
        }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const { ws } of sockets) ws.close();
  return (clients * actionsEach * 2) / seconds;
}

export async function benchFoundation(): Promise<void> {
  const dir = tempDir();
  try {
    console.error("foundation: raw baselines");
    const echo = await startProcess(["bun", "scripts/benchmarks/raw-echo-server.ts"]);
    const echoWs = await openSocket(`ws://127.0.0.1:${echo.port}/?topic=t`);
    await roundTrips(echoWs, 300, () => "{}", () => true);
    const echoUs = await roundTrips(echoWs, 3000, () => JSON.stringify({ action: "think", args: { thought: "x" } }), () => true);
    echoWs.close();
    echo.proc.kill();
    const commitUs = rawSingleCommitUs(dir.path, 3000);
    const rawCommitsPerS = 1e6 / median(commitUs);

    console.error("foundation: bunhands");
    const server = await startProcess(["bun", "src/main.ts"], { PORT: "0", STATE_DIR: join(dir.path, "state"), WORKSPACE_BASE: join(dir.path, "ws"), RUNTIME: "local", LOG_LEVEL: "error", POOL_SIZE: "0", RATE_LIMIT_WS_PER_S: "1000000" });
    const base = `ws://127.0.0.1:${server.port}`;
    const { ws } = await connectConversation(base);
    const think = () => JSON.stringify({ action: "think", args: { thought: "x" } });
    await roundTrips(ws, 300, think, (f) => f.observation === "think");
    const thinkUs = await roundTrips(ws, 3000, think, (f) => f.observation === "think");
    const baselineUs = median(echoUs) + median(commitUs);
    record("WS round-trip of think, p50 (action stored → observation back)", median(thinkUs), "µs", "raw echo + 1 raw commit", baselineUs, { ratio: 1.3, lowerIsBetter: true });
    record("WS round-trip of think, p99", percentile(thinkUs, 99), "µs", "raw echo p99 + commit p99", percentile(echoUs, 99) + percentile(commitUs, 99), { lowerIsBetter: true });

    const perSecond = await eventThroughput(base, 8, 3000, 200);
    record("events stored + published per second (8 clients pipelining)", perSecond, "events/s", "raw single-row commits/s", rawCommitsPerS, { absolute: 100_000, lowerIsBetter: false });

    const run = () => JSON.stringify({ action: "run", args: { command: "echo hi" } });
    await roundTrips(ws, 50, run, (f) => f.observation === "run");
    const runUs = await roundTrips(ws, 500, run, (f) => f.observation === "run");
    const spawnUs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      const proc = Bun.spawn(["sh", "-c", "echo hi"], { stdout: "pipe" });
      await new Response(proc.stdout).text();
      await proc.exited;
      spawnUs.push((performance.now() - t0) * 1000);
    }
    record("`run echo hi` over the WebSocket, local, p50", median(runUs) / 1000, "ms", "raw Bun.spawn sh -c", median(spawnUs) / 1000, { absolute: 0.5, lowerIsBetter: true });
    ws.close();
    server.proc.kill("SIGTERM");
    await server.proc.exited;
  } finally {
    dir.cleanup();
  }
}
