/**
 * Baseline for the binary's cold start and idle memory: the least a Bun server with a database does.
 * Opens (creating) a SQLite file in WAL mode under STATE_DIR and answers GET /health. Compiled by the bench.
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const stateDir = process.env.STATE_DIR ?? ".";
mkdirSync(stateDir, { recursive: true });
const db = new Database(join(stateDir, "hello.sqlite"), { create: true });
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE IF NOT EXISTS hits (at TEXT)");
const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  fetch(request) {
    if (new URL(request.url).pathname === "/health") return Response.json({ status: "ok" });
    return new Response("hello");
  },
});
console.log(`hello listening on http://127.0.0.1:${server.port}`);
process.on("SIGTERM", () => {
  server.stop(true);
  db.close();
  process.exit(0);
});
