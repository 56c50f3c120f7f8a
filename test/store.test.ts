import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../src/db/client.ts";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { EMBEDDED_SQL, embeddedMigrations } from "../src/db/migrations.ts";
import { action, observation } from "../src/events/factory.ts";
import { SqliteEventStore } from "../src/events/sqlite-store.ts";
import type { ConversationRecord } from "../src/events/store.ts";
import { EventStream } from "../src/events/stream.ts";
import { tempDir } from "./support/temp.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function openStore(dir = tempDir()) {
  cleanups.push(dir.cleanup);
  const file = join(dir.path, "events.sqlite");
  const store = new SqliteEventStore(openDatabase(file));
  return { store, file, dir };
}

function conversation(id: string, at = new Date().toISOString()): ConversationRecord {
  return { conversation_id: id, title: id, agent_state: "awaiting_user_input", runtime: "local", created_at: at, last_activity_at: at, confirmation_mode: false, workspace: `/tmp/${id}`, settings: {} };
}

describe("SqliteEventStore", () => {
  test("every migration drizzle-kit wrote is embedded", () => {
    const files = readdirSync(join(import.meta.dir, "../src/db/migrations")).filter((f) => f.endsWith(".sql"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(Object.keys(EMBEDDED_SQL)).toContain(file.replace(/\.sql$/, ""));
  });

  test("the embedded migrations are what drizzle reads from the folder, hashes included", () => {
    // Same hashes as drizzle's own migrate(): a database migrated by drizzle-kit and by the binary agree.
    expect(embeddedMigrations()).toEqual(readMigrationFiles({ migrationsFolder: join(import.meta.dir, "../src/db/migrations") }));
  });

  test("the database runs in WAL mode with foreign keys", () => {
    const { store } = openStore();
    const db = (store as unknown as { db: { $client: import("bun:sqlite").Database } }).db.$client;
    expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    expect((db.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
    store.close();
  });

  test("WAL checkpoints run on a worker thread, with SQLite's own in the commits only as a rare backstop", async () => {
    const { store, file } = openStore();
    const db = (store as unknown as { db: { $client: import("bun:sqlite").Database } }).db.$client;
    expect((db.query("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint).toBe(4000);
    store.createConversation(conversation("wal"));
    const initialBytes = Bun.file(file).size;
    // ~1,000 commits write ~2,500 WAL pages: under the backstop, so only the worker copies them into the file.
    const content = "x".repeat(300);
    for (let i = 0; i < 1000; i++) {
      await store.append("wal", [observation("run", content, {}, null)]);
      if (i % 100 === 0) await Bun.sleep(1); // lets the worker's replies in, as gaps in real traffic do
    }
    const deadline = Date.now() + 5000;
    while (Bun.file(file).size < initialBytes + 200_000 && Date.now() < deadline) await Bun.sleep(20);
    expect(Bun.file(file).size).toBeGreaterThan(initialBytes + 200_000);
    expect(store.latestId("wal")).toBe(999);
    store.close();
  });

  test("closing the store while its worker checkpoints ends the worker cleanly and loses nothing", async () => {
    const { store, file } = openStore();
    store.createConversation(conversation("close"));
    // 201 commits: the 200th starts the worker's first checkpoint, then the store closes at once.
    for (let i = 0; i < 201; i++) await store.append("close", [observation("run", "x".repeat(300), {}, null)]);
    store.close();
    await Bun.sleep(300); // a late reply or failure of the worker would surface here as an error
    const reopened = new SqliteEventStore(openDatabase(file));
    expect(reopened.latestId("close")).toBe(200);
    reopened.close();
  });

  test("ids are contiguous per conversation under concurrent appends", async () => {
    const { store } = openStore();
    store.createConversation(conversation("a"));
    store.createConversation(conversation("b"));
    const appends = [];
    for (let i = 0; i < 500; i++) appends.push(store.append(i % 2 ? "a" : "b", [action("user", "think", { thought: String(i) })]));
    const results = await Promise.all(appends);
    const idsA = results.filter((_, i) => i % 2).map((r) => r[0]?.event.id);
    const idsB = results.filter((_, i) => !(i % 2)).map((r) => r[0]?.event.id);
    expect(idsA).toEqual(idsA.map((_, i) => i));
    expect(idsB).toEqual(idsB.map((_, i) => i));
    expect(store.latestId("a")).toBe(249);
    expect(store.read("a", { limit: 1000 }).map((e) => e.id)).toEqual(idsA as number[]);
    store.close();
  });

  test("an append to an unknown conversation fails alone; the others in its group commit", async () => {
    const { store } = openStore();
    store.createConversation(conversation("good"));
    const good = store.append("good", [action("user", "think", { thought: "x" })]);
    const bad = store.append("missing", [action("user", "think", { thought: "y" })]);
    await expect(bad).rejects.toThrow();
    expect((await good)[0]?.event.id).toBe(0);
    expect(store.latestId("good")).toBe(0);
    const next = await store.append("good", [action("user", "think", { thought: "z" })]);
    expect(next[0]?.event.id).toBe(1);
    store.close();
  });

  test("a group commit of many rows (written 16 to a statement) keeps ids, order, masking and the lone failure", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = new SqliteEventStore(openDatabase(join(dir.path, "g.sqlite")), { redactJson: (json) => json.replaceAll("sk-secret", "********") });
    store.createConversation(conversation("a"));
    store.createConversation(conversation("b"));
    // 45 appends in one turn, most with an inline answer: ~80 rows, so full 16-row statements and a remainder.
    const round = (from: number) =>
      Array.from({ length: 45 }, (_, k) => {
        const i = from + k;
        const thought = i === 20 ? "uses sk-secret" : `t${i}`;
        return store.append(i % 3 === 2 ? "b" : "a", [action("user", "think", { thought })], i % 4 === 0 ? undefined : observation("think", "", {}, null));
      });
    const results = await Promise.all(round(0));
    // The second turn has an append that fails: the group is then written again one append at a time.
    const second = round(45);
    const lost = store.append("missing", [action("user", "think", { thought: "nowhere" })]);
    await expect(lost).rejects.toThrow();
    results.push(...(await Promise.all(second)));
    for (const id of ["a", "b"]) {
      const stored = store.read(id, { limit: 1000 });
      expect(stored.map((e) => e.id)).toEqual(stored.map((_, i) => i));
      const committed = results.filter((_, i) => (i % 3 === 2 ? "b" : "a") === id).flat();
      expect(committed.map((c) => c.event.id)).toEqual(stored.map((e) => e.id));
      // What was published is exactly what was stored, row for row.
      expect(committed.map((c) => c.json)).toEqual(stored.map((e) => JSON.stringify(e)));
    }
    const all = JSON.stringify([...store.read("a", { limit: 1000 }), ...store.read("b", { limit: 1000 })]);
    expect(all).not.toContain("sk-secret");
    expect(all).toContain("uses ********");
    // Each inline answer names its own action as its cause.
    for (const pair of results.filter((r) => r.length === 2)) expect(pair[1]?.event).toMatchObject({ cause: pair[0]?.event.id });
    store.close();
  });

  test("events and conversations survive a reopen, and ids go on from the last one", async () => {
    const first = openStore();
    first.store.createConversation(conversation("c"));
    await first.store.append("c", [action("user", "think", { thought: "1" }), observation("think", "", {}, 0)]);
    first.store.close();
    const reopened = new SqliteEventStore(openDatabase(first.file));
    expect(reopened.getConversation("c")?.title).toBe("c");
    expect(reopened.latestId("c")).toBe(1);
    const [next] = await reopened.append("c", [action("user", "think", { thought: "2" })]);
    expect(next?.event.id).toBe(2);
    expect(reopened.readJsonAfter("c", 0).map((r) => r.id)).toEqual([1, 2]);
    reopened.close();
  });

  test("ranges: start, end, limit and reverse", async () => {
    const { store } = openStore();
    store.createConversation(conversation("r"));
    await store.append("r", Array.from({ length: 10 }, (_, i) => action("user", "think", { thought: String(i) })));
    expect(store.read("r", { startId: 3, endId: 6 }).map((e) => e.id)).toEqual([3, 4, 5, 6]);
    expect(store.read("r", { limit: 3, reverse: true }).map((e) => e.id)).toEqual([9, 8, 7]);
    store.close();
  });

  test("conversations are listed newest activity first, in pages", async () => {
    const { store } = openStore();
    for (let i = 0; i < 5; i++) store.createConversation(conversation(`c${i}`, `2026-01-0${i + 1}T00:00:00.000Z`));
    await store.append("c1", [action("user", "think", { thought: "bump" })]);
    const first = store.listConversations(2);
    expect(first.results.map((c) => c.conversation_id)).toEqual(["c1", "c4"]);
    const second = store.listConversations(2, first.nextPageId ?? undefined);
    expect(second.results.map((c) => c.conversation_id)).toEqual(["c3", "c2"]);
    const third = store.listConversations(2, second.nextPageId ?? undefined);
    expect(third.results.map((c) => c.conversation_id)).toEqual(["c0"]);
    expect(third.nextPageId).toBeNull();
  });

  test("deleting a conversation removes its events", async () => {
    const { store } = openStore();
    store.createConversation(conversation("d"));
    await store.append("d", [action("user", "think", { thought: "x" })]);
    store.deleteConversation("d");
    expect(store.getConversation("d")).toBeUndefined();
    expect(store.read("d")).toEqual([]);
    expect(store.countEvents()).toBe(0);
  });
});

describe("EventStream", () => {
  test("publishes each event after its commit, in id order, and calls listeners", async () => {
    const { store } = openStore();
    store.createConversation(conversation("s"));
    const published: Array<{ topic: string; id: number; storedWhenPublished: number }> = [];
    const stream = new EventStream("s", store, (topic, frame) => {
      const id = (JSON.parse(frame) as { id: number }).id;
      published.push({ topic, id, storedWhenPublished: store.latestId("s") });
    });
    const seen: number[] = [];
    stream.subscribe((e) => seen.push(e.id));
    await Promise.all(Array.from({ length: 20 }, (_, i) => stream.append(action("user", "think", { thought: String(i) }))));
    expect(published.map((p) => p.id)).toEqual(seen);
    expect(seen).toEqual(seen.map((_, i) => i));
    for (const p of published) expect(p.storedWhenPublished).toBeGreaterThanOrEqual(p.id);
    expect(published[0]?.topic).toBe("conversation:s");
  });

  test("waitForObservation resolves with the observation whose cause is the action", async () => {
    const { store } = openStore();
    store.createConversation(conversation("w"));
    const stream = new EventStream("w", store, () => {});
    const waiting = stream.waitForObservation(0);
    await stream.append(action("user", "think", { thought: "t" }));
    await stream.append(observation("think", "", {}, 0));
    expect((await waiting).cause).toBe(0);
  });

  test("an action answered inline is stored with its observation in one commit, the cause set in the write", async () => {
    const { store } = openStore();
    store.createConversation(conversation("i"));
    const frames: Array<{ id: number; cause?: number; tool_call_id?: string }> = [];
    const stream = new EventStream("i", store, (_topic, frame) => frames.push(JSON.parse(frame)));
    stream.answerInline = (a) => (a.action === "think" ? { ...observation("think", "", {}, null), tool_call_id: a.tool_call_id } : undefined);
    await stream.append(action("user", "run", { command: "true" }));
    // Two thinks queued in the same turn: each answer must follow its own action, not the other one.
    const [first, second] = await Promise.all([
      stream.append(action("agent", "think", { thought: "a" }, "", { tool_call_id: "t1" })),
      stream.append(action("agent", "think", { thought: "b" }, "", { tool_call_id: "t2" })),
    ]);
    expect([first.id, second.id]).toEqual([1, 3]);
    expect(frames.map((f) => [f.id, f.cause, f.tool_call_id])).toEqual([
      [0, undefined, undefined],
      [1, undefined, "t1"],
      [2, 1, "t1"],
      [3, undefined, "t2"],
      [4, 3, "t2"],
    ]);
    expect(store.read("i").map((e) => ("cause" in e ? e.cause : "action"))).toEqual(["action", "action", 1, "action", 3]);
  });

  test("secrets are masked before the event is stored or published", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = new SqliteEventStore(openDatabase(join(dir.path, "m.sqlite")), { redactJson: (json) => json.replaceAll("sk-secret", "********") });
    store.createConversation(conversation("m"));
    const frames: string[] = [];
    const stream = new EventStream("m", store, (_topic, frame) => frames.push(frame));
    const stored = await stream.append(observation("run", "key=sk-secret", { command: "echo sk-secret" }, null));
    expect(JSON.stringify(store.read("m"))).not.toContain("sk-secret");
    expect(frames.join("")).not.toContain("sk-secret");
    expect((stored as { content?: string }).content).toBe("key=********");
  });
});
