/**
 * Baseline: the least a server can do to answer `think` as bunhands does. Each message is parsed, its action
 * and observation rows are committed in one bun:sqlite transaction (WAL, synchronous=NORMAL, SQLite's default
 * checkpoints), and both frames are published to the topic. No validation, no ids kept per conversation.
 * Usage: bun raw-commit-server.ts DATABASE_FILE
 */
import { Database } from "bun:sqlite";

const file = process.argv[2];
if (!file) throw new Error("usage: raw-commit-server.ts DATABASE_FILE");
const db = new Database(file, { create: true });
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE IF NOT EXISTS e (c TEXT, id INTEGER, json TEXT, PRIMARY KEY (c, id))");
const insert = db.prepare("INSERT INTO e VALUES (?, ?, ?)");
let nextId = 0;

const server = Bun.serve<undefined>({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req, srv) {
    if (srv.upgrade(req, { data: undefined })) return undefined;
    return new Response("ok");
  },
  websocket: {
    open(ws) {
      ws.subscribe("t");
    },
    message(_ws, message) {
      const timestamp = new Date().toISOString();
      const action = JSON.stringify({ id: nextId, timestamp, source: "user", ...(JSON.parse(String(message)) as object) });
      const observation = JSON.stringify({ id: nextId + 1, timestamp, source: "environment", observation: "think", content: "", extras: {}, cause: nextId, message: "" });
      db.transaction(() => {
        insert.run("c", nextId++, action);
        insert.run("c", nextId++, observation);
      })();
      server.publish("t", action);
      server.publish("t", observation);
    },
  },
});
console.log(`PORT ${server.port}`);
