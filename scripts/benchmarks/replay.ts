/** Replay of 100,000 stored events on reconnect (latest_event_id=-1) beside reading the same rows raw with bun:sqlite. */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { getTableName } from "drizzle-orm";
import { DATABASE_FILE, openDatabase } from "../../src/db/client.ts";
import { events as eventsTable } from "../../src/db/schema.ts";
import { action, observation } from "../../src/events/factory.ts";
import type { NewEvent } from "../../src/events/schema.ts";
import { SqliteEventStore } from "../../src/events/sqlite-store.ts";
import { countingSocket } from "./counting-socket.ts";
import { median, record, tempDir, timeEach } from "./lib.ts";
import { startBunhands } from "./process.ts";

const EVENTS = 100_000;
const BATCH = 1000;

/** Writes a conversation of EVENTS think actions and observations through the server's own store. */
export async function seed(stateDir: string, workspace: string, thoughtChars = 0): Promise<string> {
  const store = new SqliteEventStore(openDatabase(join(stateDir, DATABASE_FILE)));
  const id = `replay${Date.now().toString(36)}`;
  const now = new Date().toISOString();
  store.createConversation({ conversation_id: id, title: "replay benchmark", agent_state: "awaiting_user_input", runtime: "local", created_at: now, last_activity_at: now, confirmation_mode: false, workspace, settings: {} });
  for (let start = 0; start < EVENTS; start += BATCH) {
    const batch: NewEvent[] = [];
    for (let n = start; n < start + BATCH; n += 2) {
      const thought = `thought ${n / 2}: check the next file before editing it`.padEnd(thoughtChars, ".");
      batch.push(action("agent", "think", { thought }), observation("think", "", {}, n));
    }
    await store.append(id, batch);
  }
  store.close();
  return id;
}

function rawReadMs(stateDir: string, id: string): number[] {
  const db = new Database(join(stateDir, DATABASE_FILE), { readonly: true });
  const query = db.prepare(`SELECT id, json FROM ${getTableName(eventsTable)} WHERE conversation_id = ? AND id > ? ORDER BY id`);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const rows = query.all(id, -1);
    times.push(performance.now() - t0);
    if (rows.length !== EVENTS) throw new Error(`raw read found ${rows.length} rows, expected ${EVENTS}`);
  }
  db.close();
  return times;
}

/** Joins with latest_event_id=-1 and waits for the connected frame and every event; returns ms to the last one. */
export async function replayMs(port: number, id: string): Promise<number> {
  const t0 = performance.now();
  const socket = await countingSocket(port, `/ws?conversation_id=${id}&latest_event_id=-1`);
  const wanted = EVENTS + 1;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replay stalled at ${socket.count - 1} of ${EVENTS} events after 60 s (frames dropped?)`)), 60_000);
    const check = (count: number) => {
      if (count < wanted) return;
      clearTimeout(timer);
      resolve();
    };
    socket.onCount = check;
    check(socket.count);
  });
  const elapsed = performance.now() - t0;
  const last = JSON.parse(socket.lastText()) as { id?: number };
  socket.close();
  if (last.id !== EVENTS - 1) throw new Error(`the last replayed frame has id ${last.id}, expected ${EVENTS - 1}`);
  return elapsed;
}

export async function benchReplay(): Promise<void> {
  const dir = tempDir();
  try {
    console.error(`replay: seeding ${EVENTS.toLocaleString("en-US")} events through the store`);
    const stateDir = join(dir.path, "state");
    const id = await seed(stateDir, join(dir.path, "workspace", "replay"));
    const raw = median(rawReadMs(stateDir, id));
    console.error("replay: bunhands reconnects");
    const server = await startBunhands({ STATE_DIR: stateDir, WORKSPACE_BASE: join(dir.path, "workspace") });
    try {
      const cold = await replayMs(server.port, id);
      const warm = median(await timeEach(3, () => replayMs(server.port, id))) / 1000;
      record("replay of 100,000 events on reconnect, first join after start (loads the conversation)", cold, "ms", "raw bun:sqlite read of 100k rows", raw, { absolute: 1000, lowerIsBetter: true });
      record("replay of 100,000 events on reconnect, conversation live (median of 3)", warm, "ms", "raw bun:sqlite read of 100k rows", raw, { absolute: 1000, lowerIsBetter: true });
    } finally {
      await server.stop();
    }
  } finally {
    dir.cleanup();
  }
}
