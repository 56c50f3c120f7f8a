/** Memory per live conversation (1,000 conversations, one client each) beside a raw server's memory per idle socket. */
import { notMeasured, record } from "./lib.ts";
import { descendants, rssKb, startBunhands, startProcess, stopProcess } from "./process.ts";
import { joinConversation, openSocket } from "./socket.ts";

const CONVERSATIONS = 1000;
const WARM_UP = 20;

/** Opens `count` sockets in batches (a burst of 1,000 handshakes is its own benchmark). */
async function openInBatches<T>(count: number, open: () => Promise<T>, batch = 50): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, open))));
  return out;
}

/** RSS after the process has had a moment to settle. */
async function settledRssKb(pid: number): Promise<number> {
  await Bun.sleep(1000);
  return rssKb(pid);
}

async function rawKbPerSocket(): Promise<number> {
  const echo = await startProcess(["bun", "scripts/benchmarks/raw-echo-server.ts"]);
  try {
    const url = `ws://127.0.0.1:${echo.port}/?topic=idle`;
    const warm = await openInBatches(WARM_UP, () => openSocket(url));
    const before = await settledRssKb(echo.proc.pid);
    const sockets = await openInBatches(CONVERSATIONS, () => openSocket(url));
    const after = await settledRssKb(echo.proc.pid);
    for (const ws of [...warm, ...sockets]) ws.close();
    return (after - before) / CONVERSATIONS;
  } finally {
    await stopProcess(echo.proc);
  }
}

export async function benchMemory(): Promise<void> {
  console.error("memory: raw server, 1,000 idle sockets");
  const raw = await rawKbPerSocket();
  console.error("memory: bunhands, 1,000 live conversations with a client each (RUNTIME=local)");
  const server = await startBunhands({ RUNTIME: "local", MAX_CONVERSATIONS: String(CONVERSATIONS * 2), CONVERSATION_IDLE_S: "3600" });
  try {
    const warm = await openInBatches(WARM_UP, () => joinConversation(server.wsUrl));
    const before = await settledRssKb(server.proc.pid);
    const childrenBefore = descendants(server.proc.pid).length;
    const joined = await openInBatches(CONVERSATIONS, () => joinConversation(server.wsUrl));
    const after = await settledRssKb(server.proc.pid);
    const children = descendants(server.proc.pid).length;
    const distinct = new Set(joined.map((j) => j.id)).size;
    if (distinct !== CONVERSATIONS) throw new Error(`expected ${CONVERSATIONS} conversations, joined ${distinct}`);
    record(`server memory per live conversation (${CONVERSATIONS} with a client each, RSS delta / ${CONVERSATIONS})`, (after - before) / CONVERSATIONS, "KiB", "raw server, per idle socket", raw, { absolute: 64, lowerIsBetter: true });
    record("processes started by 1,000 idle conversations (local runtime starts its shell lazily)", children - childrenBefore, "processes", "none expected", 0, { absolute: 0, lowerIsBetter: true });
    for (const { ws } of [...warm, ...joined]) ws.close();
  } catch (error) {
    notMeasured("server memory per live conversation", `failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await server.stop();
  }
}
