/// <reference lib="webworker" />
/**
 * Runs SQLite WAL checkpoints on its own thread and connection (see wal-checkpointer.ts): a PASSIVE checkpoint
 * copies committed pages into the database file without blocking the server's writes.
 */
import { Database } from "bun:sqlite";
import type { CheckpointReply, CheckpointRequest } from "./wal-checkpointer.ts";

declare const self: Worker;

let db: Database | undefined;

self.onmessage = (message: MessageEvent<CheckpointRequest>) => {
  const request = message.data;
  if (request.type === "close") {
    db?.close();
    db = undefined;
    // The server's side ends the thread once it hears this.
    self.postMessage({ type: "closed" } satisfies CheckpointReply);
    return;
  }
  try {
    db ??= openQuietly(request.file);
    db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    self.postMessage({ type: "done" } satisfies CheckpointReply);
  } catch (error) {
    self.postMessage({ type: "failed", error: String(error) } satisfies CheckpointReply);
  }
};

function openQuietly(file: string): Database {
  const opened = new Database(file, { readwrite: true, create: false });
  // The server's connection holds the locks that matter; this one only waits briefly for them.
  opened.exec("PRAGMA busy_timeout = 1000");
  opened.exec("PRAGMA wal_autocheckpoint = 0");
  return opened;
}
