/** Fan-out: frames per second delivered to 100 clients of one conversation, beside a raw server.publish. */
import { countingSocket, type CountingSocket } from "./counting-socket.ts";
import { median, record } from "./lib.ts";
import { cpuSeconds, startBunhands, startProcess, stopProcess } from "./process.ts";
import { thinkMessage } from "./socket.ts";

const CLIENTS = 100;
/** Measured rounds of each side; the table shows the median. */
const ROUNDS = 9;
/**
 * Unmeasured rounds of each side first: bunhands' JIT compiles its hot path during the first rounds (its
 * compiler thread alone took ~14 µs of CPU per think in round 1, ~3 µs by round 3), the raw server has
 * almost no JavaScript to compile. The row compares the two at their steady state.
 */
const WARM_ROUNDS = 2;
/** A stored think action as it goes on the wire: the raw baseline publishes frames of this size. */
const SAMPLE_FRAME = JSON.stringify({ id: 12345, timestamp: new Date().toISOString(), source: "user", action: "think", args: { thought: "t1234" }, message: "t1234" });

/** Runs `start`, then resolves when every socket has received `more` frames beyond what it had; returns the seconds taken. */
function deliver(sockets: CountingSocket[], more: number, start: () => void): Promise<number> {
  const goals = sockets.map((socket) => socket.count + more);
  const t0 = performance.now();
  // `start` may install its own onCount (the sender's refill); ours wraps it.
  start();
  let clientsDone = 0;
  return new Promise<number>((resolve) => {
    sockets.forEach((socket, i) => {
      const goal = goals[i] as number;
      const previous = socket.onCount;
      socket.onCount = (count) => {
        previous?.(count);
        if (count < goal) return;
        socket.onCount = previous;
        if (++clientsDone === sockets.length) resolve((performance.now() - t0) / 1000);
      };
    });
  });
}

/** Waits until no socket's count changes for a moment (replays and connected frames are in). */
async function settle(sockets: CountingSocket[]): Promise<void> {
  let last = -1;
  for (;;) {
    const total = sockets.reduce((sum, s) => sum + s.count, 0);
    if (total === last) return;
    last = total;
    await Bun.sleep(200);
  }
}

/** A side of the comparison: 100 counting clients ready, and one measured round at a time. */
type Side = { round(): Promise<Round>; close(): Promise<void> };
/** Frames delivered per second of wall time, and per second of the server's own CPU time. */
type Round = { perSecond: number; perCpuSecond: number };

/** Runs one delivery of `frames` frames in all and reads the server's CPU time around it. */
async function measured(pid: number, frames: number, delivery: () => Promise<number>): Promise<Round> {
  const cpu0 = cpuSeconds(pid);
  const seconds = await delivery();
  return { perSecond: frames / seconds, perCpuSecond: frames / Math.max(0.01, cpuSeconds(pid) - cpu0) };
}

/** The raw server: one client asks it to server.publish `framesEach` frames to the topic all 100 are on. */
async function rawSide(framesEach: number): Promise<Side> {
  const echo = await startProcess(["bun", "scripts/benchmarks/raw-echo-server.ts"]);
  const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => countingSocket(echo.port, "/?topic=fanout")));
  const publish = (frames: number) => () => {
    const batch = 250;
    for (let sent = 0; sent < frames; sent += batch) sockets[0]?.send(`publish:${Math.min(batch, frames - sent)}:${SAMPLE_FRAME}`);
  };
  await deliver(sockets, 500, publish(500));
  return {
    round: () => measured(echo.proc.pid, CLIENTS * framesEach, () => deliver(sockets, framesEach, publish(framesEach))),
    async close() {
      for (const socket of sockets) socket.close();
      await stopProcess(echo.proc);
    },
  };
}

/** bunhands: one client pipelines think actions (each makes two events); 100 clients (the sender among them) count frames. */
async function bunhandsSide(thinks: number, window: number): Promise<Side> {
  const server = await startBunhands();
  const created = await fetch(`${server.url}/api/conversations`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  if (created.status !== 201) throw new Error(`POST /api/conversations answered ${created.status}`);
  const { conversation_id: id } = (await created.json()) as { conversation_id: string };
  const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => countingSocket(server.port, `/ws?conversation_id=${id}`)));
  await settle(sockets);
  const sender = sockets[0] as CountingSocket;
  const pipeline = (count: number) => () => {
    // The sender keeps `window` thinks in flight: each answered think is two frames it receives.
    const base = sender.count;
    let sent = 0;
    const refill = (received: number) => {
      while (sent < count && sent - (received - base) / 2 < window) sender.send(thinkMessage(sent++));
    };
    sender.onCount = refill;
    refill(base);
  };
  await deliver(sockets, 400, pipeline(200));
  sender.onCount = null;
  return {
    async round() {
      const round = await measured(server.proc.pid, CLIENTS * thinks * 2, () => deliver(sockets, thinks * 2, pipeline(thinks)));
      sender.onCount = null;
      return round;
    },
    async close() {
      for (const socket of sockets) socket.close();
      await server.stop();
    },
  };
}

export async function benchFanout(): Promise<void> {
  console.error("fan-out: raw server.publish and bunhands, 100 clients each, rounds alternating");
  const raw = await rawSide(20_000);
  try {
    const ours = await bunhandsSide(10_000, 500);
    try {
      const rawRounds: Round[] = [];
      const ourRounds: Round[] = [];
      for (let round = 0; round < WARM_ROUNDS; round++) {
        await raw.round();
        await ours.round();
      }
      // Alternating rounds: a busy moment of the shared machine hits both sides alike.
      for (let round = 0; round < ROUNDS; round++) {
        rawRounds.push(await raw.round());
        ourRounds.push(await ours.round());
      }
      const of = (rounds: Round[], key: keyof Round) => median(rounds.map((r) => r[key]));
      // On 2 cores the receiving clients fill one core: the wall-clock rate is bounded by them for both
      // sides, so the server's own CPU time per frame is the comparison that measures the server.
      record(`fan-out to 100 clients of one conversation: frames per server CPU-second, median of ${ROUNDS}`, of(ourRounds, "perCpuSecond"), "frames/CPU-s", "raw server.publish, 100 subscribers", of(rawRounds, "perCpuSecond"), { ratio: 0.7, lowerIsBetter: false });
      record("fan-out to 100 clients, wall clock (500 thinks in flight; clients in one process)", of(ourRounds, "perSecond"), "frames/s", "raw server.publish, 100 subscribers", of(rawRounds, "perSecond"), { lowerIsBetter: false });
    } finally {
      await ours.close();
    }
  } finally {
    await raw.close();
  }
}
