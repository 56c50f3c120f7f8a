/** Foundation figures: the WebSocket round-trip of `think` and event throughput, each beside a raw baseline. */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { median, percentile, record, tempDir } from "./lib.ts";
import { startBunhands, startProcess, stopProcess } from "./process.ts";
import { type Frame, joinConversation, openSocket, roundTrips, thinkMessage } from "./socket.ts";

/** Round trips of think per server and raw baseline, in blocks that alternate between them. */
const BLOCKS = 8;
const BLOCK = 500;
const WARM_UP = 2000;

/** Raw bun:sqlite single-row commits into one WAL database; each call times `count` more of them, µs. */
function rawCommitter(dir: string) {
  const db = new Database(join(dir, "raw.sqlite"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE e (c TEXT, id INTEGER, json TEXT, PRIMARY KEY (c, id))");
  const insert = db.prepare("INSERT INTO e VALUES (?, ?, ?)");
  const payload = JSON.stringify({ id: 0, timestamp: new Date().toISOString(), source: "user", action: "think", args: { thought: "x" }, message: "x" });
  let next = 0;
  return {
    timeCommits(count: number): number[] {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        db.transaction(() => insert.run("c", next++, payload))();
        times.push((performance.now() - t0) * 1000);
      }
      return times;
    },
    close: () => db.close(),
  };
}

/** Several clients pipelining think actions; returns events stored and published per second. */
async function eventThroughput(wsBase: string, clients: number, actionsEach: number, window: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => joinConversation(wsBase)));
  const t0 = performance.now();
  await Promise.all(
    sockets.map(
      ({ ws }) =>
        new Promise<void>((resolve, reject) => {
          let sent = 0;
          let answered = 0;
          const send = () => ws.send(thinkMessage(sent++));
          ws.onmessage = (e) => {
            const frame = JSON.parse(String(e.data)) as Frame;
            if (frame.error) return reject(new Error(`error frame: ${frame.code} ${frame.error}`));
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
    console.error("foundation: bunhands beside a raw echo, raw commits and a raw commit-and-publish server, in alternating blocks");
    const echo = await startProcess(["bun", "scripts/benchmarks/raw-echo-server.ts"]);
    const rawServer = await startProcess(["bun", "scripts/benchmarks/raw-commit-server.ts", join(dir.path, "raw-server.sqlite")]);
    const server = await startBunhands();
    try {
      const echoWs = await openSocket(`ws://127.0.0.1:${echo.port}/?topic=t`);
      const rawWs = await openSocket(`ws://127.0.0.1:${rawServer.port}/`);
      const { ws } = await joinConversation(server.wsUrl);
      const isThink = (f: Frame) => f.observation === "think";
      // The stored action coming back is the measure: one validated commit, then the publish.
      const isStoredThink = (f: Frame) => f.action === "think" && typeof f.id === "number";
      // Warm-ups long enough for JSC to tier up every hot path (a server is measured, not its first second).
      await roundTrips(echoWs, WARM_UP, thinkMessage, () => true);
      await roundTrips(rawWs, WARM_UP, thinkMessage, isThink);
      await roundTrips(ws, WARM_UP, thinkMessage, isThink);
      const rawCommits = rawCommitter(dir.path);
      rawCommits.timeCommits(WARM_UP);
      // Blocks of 500 round trips, alternating: a busy moment of the shared machine (its WAL writes, the
      // other work on the 2 cores) hits every server and baseline alike, which matters most for the p99.
      const echoUs: number[] = [];
      const commitUs: number[] = [];
      const storedUs: number[] = [];
      const rawThinkUs: number[] = [];
      const thinkUs: number[] = [];
      for (let block = 0; block < BLOCKS; block++) {
        echoUs.push(...(await roundTrips(echoWs, BLOCK, thinkMessage, () => true)));
        commitUs.push(...rawCommits.timeCommits(BLOCK));
        storedUs.push(...(await roundTrips(ws, BLOCK, thinkMessage, isStoredThink)));
        rawThinkUs.push(...(await roundTrips(rawWs, BLOCK, thinkMessage, isThink)));
        thinkUs.push(...(await roundTrips(ws, BLOCK, thinkMessage, isThink)));
      }
      echoWs.close();
      rawWs.close();
      ws.close();
      rawCommits.close();
      const rawCommitsPerS = 1e6 / median(commitUs);
      record("WS round-trip of think, p50 (sent → stored action back)", median(storedUs), "µs", "raw echo + 1 raw commit", median(echoUs) + median(commitUs), { ratio: 1.3, lowerIsBetter: true });
      // think's observation is stored in the action's own commit (answered inline): one commit, two frames. The
      // fair baseline for the whole answer is a raw server doing just that (scripts/benchmarks/raw-commit-server.ts).
      record("WS round-trip of think, p50 (sent → observation back)", median(thinkUs), "µs", "raw server: commit both rows, publish both", median(rawThinkUs), { ratio: 1.3, lowerIsBetter: true });
      record("WS round-trip of think, p99 (sent → observation back)", percentile(thinkUs, 99), "µs", "raw server: commit both rows, publish both", percentile(rawThinkUs, 99), { ratio: 1.3, lowerIsBetter: true });

      const perSecond = await eventThroughput(server.wsUrl, 8, 3000, 200);
      record("events stored + published per second (8 clients pipelining)", perSecond, "events/s", "raw single-row commits/s", rawCommitsPerS, { absolute: 100_000, lowerIsBetter: false });
    } finally {
      await server.stop();
      await stopProcess(rawServer.proc);
      await stopProcess(echo.proc);
    }
  } finally {
    dir.cleanup();
  }
}
