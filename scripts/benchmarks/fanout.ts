/** Fan-out: frames per second delivered to 100 clients of one conversation, beside a raw server.publish. */
import { record } from "./lib.ts";
import { startBunhands, startProcess, stopProcess } from "./process.ts";
import { joinConversation, openSocket, thinkMessage } from "./socket.ts";

const CLIENTS = 100;
/** A stored think action as it goes on the wire: the raw baseline publishes frames of this size. */
const SAMPLE_FRAME = JSON.stringify({ id: 12345, timestamp: new Date().toISOString(), source: "user", action: "think", args: { thought: "t1234" }, message: "t1234" });

/** Resolves when every socket has received `perClient` frames; returns the seconds from `t0`. */
function countUntil(sockets: WebSocket[], perClient: number, t0: () => number): Promise<number> {
  let clientsDone = 0;
  return new Promise((resolve) => {
    for (const ws of sockets) {
      let received = 0;
      ws.onmessage = () => {
        if (++received !== perClient) return;
        if (++clientsDone === sockets.length) resolve((performance.now() - t0()) / 1000);
      };
    }
  });
}

async function rawPublishRate(framesEach: number): Promise<number> {
  const echo = await startProcess(["bun", "scripts/benchmarks/raw-echo-server.ts"]);
  try {
    const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => openSocket(`ws://127.0.0.1:${echo.port}/?topic=fanout`)));
    // Warm-up, then the measured run.
    let t0 = performance.now();
    let done = countUntil(sockets, 200, () => t0);
    sockets[0]?.send(`publish:200:${SAMPLE_FRAME}`);
    await done;
    const batch = 250;
    t0 = performance.now();
    done = countUntil(sockets, framesEach, () => t0);
    for (let sent = 0; sent < framesEach; sent += batch) sockets[0]?.send(`publish:${Math.min(batch, framesEach - sent)}:${SAMPLE_FRAME}`);
    const seconds = await done;
    for (const ws of sockets) ws.close();
    return (CLIENTS * framesEach) / seconds;
  } finally {
    await stopProcess(echo.proc);
  }
}

/** One client pipelines think actions (each makes two events); 100 clients (the sender among them) count frames. */
async function bunhandsFanoutRate(thinks: number, window: number): Promise<number> {
  const server = await startBunhands();
  try {
    const sender = await joinConversation(server.wsUrl);
    const others = await Promise.all(Array.from({ length: CLIENTS - 1 }, () => joinConversation(server.wsUrl, { conversation_id: sender.id })));
    const sockets = [sender.ws, ...others.map((o) => o.ws)];
    const run = async (count: number) => {
      const t0 = performance.now();
      const done = countUntil(sockets, count * 2, () => t0);
      // The sender keeps `window` thinks in flight: each answered think is two frames it receives.
      let sent = 0;
      let received = 0;
      const counter = sender.ws.onmessage as (e: MessageEvent) => void;
      sender.ws.onmessage = (e) => {
        counter(e);
        received++;
        while (sent < count && sent - received / 2 < window) sender.ws.send(thinkMessage(sent++));
      };
      while (sent < Math.min(window, count)) sender.ws.send(thinkMessage(sent++));
      return done;
    };
    await run(200);
    const seconds = await run(thinks);
    for (const ws of sockets) ws.close();
    return (CLIENTS * thinks * 2) / seconds;
  } finally {
    await server.stop();
  }
}

export async function benchFanout(): Promise<void> {
  console.error("fan-out: raw server.publish to 100 subscribers");
  const raw = await rawPublishRate(6000);
  console.error("fan-out: bunhands, 100 clients of one conversation");
  const ours = await bunhandsFanoutRate(3000, 200);
  record("fan-out to 100 clients of one conversation (think actions pipelined)", ours, "frames/s", "raw server.publish, 100 subscribers", raw, { ratio: 0.7, lowerIsBetter: false });
}
