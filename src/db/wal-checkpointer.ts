import type { Database } from "bun:sqlite";
import { ENTRYPOINTS, entrypointUrl } from "../entrypoints.ts";
import { log } from "../log.ts";

export type CheckpointRequest = { type: "checkpoint"; file: string } | { type: "close" };
export type CheckpointReply = { type: "done" } | { type: "failed"; error: string } | { type: "closed" };

/** SQLite's own default: an automatic checkpoint in the commit that takes the WAL to this many pages. */
const SQLITE_DEFAULT_PAGES = 1000;
/** With the worker copying pages in the background, the commit's own checkpoint is only the backstop. */
const BACKSTOP_PAGES = 4000;

/**
 * Keeps most WAL checkpoint work off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * takes the WAL to 1000 pages (every ~400 commits of the event store) and holds that commit, and everything
 * waiting on the event loop, for a millisecond or more: two fsyncs and the page copies. That was the p99 of
 * every round trip. Here, after every `everyCommits` commits, a worker thread with its own connection runs a
 * PASSIVE checkpoint, which copies the pages without blocking writers. A PASSIVE checkpoint cannot restart
 * the WAL while writes keep coming, so the connection's own automatic checkpoint stays on as a backstop at
 * 4000 pages: four times rarer, and it finds most pages already copied. The worker starts with the first
 * checkpoint, so an idle server does not pay for its thread. If it cannot run, SQLite's default comes back.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private commitsSince = 0;
  private running = false;
  private failed = false;
  private closed = false;

  constructor(
    private readonly sqlite: Database,
    private readonly everyCommits = 200,
  ) {
    sqlite.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }

  /** Called after each commit of the server's connection. */
  committed(): void {
    this.commitsSince++;
    if (this.running || this.failed || this.closed || this.commitsSince < this.everyCommits) return;
    this.checkpoint();
  }

  /** Before the server's connection closes: the worker closes its own connection, then its thread ends. */
  close(): void {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.onerror = null;
    worker.onmessage = (message: MessageEvent<CheckpointReply>) => {
      if (message.data.type === "closed") worker.terminate();
    };
    worker.postMessage({ type: "close" } satisfies CheckpointRequest);
  }

  private checkpoint(): void {
    this.commitsSince = 0;
    this.running = true;
    try {
      this.worker ??= this.startWorker();
      this.worker.postMessage({ type: "checkpoint", file: this.sqlite.filename } satisfies CheckpointRequest);
    } catch (error) {
      this.fallBack(String(error));
    }
  }

  private startWorker(): Worker {
    // `ref: false`: the worker must not keep the process alive.
    const worker = new Worker(entrypointUrl(ENTRYPOINTS.checkpointWorker), { ref: false });
    worker.onmessage = (message: MessageEvent<CheckpointReply>) => {
      this.running = false;
      if (message.data.type === "failed") this.fallBack(message.data.error);
    };
    worker.onerror = (event) => this.fallBack(event.message);
    return worker;
  }

  private fallBack(reason: string): void {
    // After close() the server's connection is gone: nothing to switch back.
    if (this.failed || this.closed) return;
    this.failed = true;
    this.running = false;
    log.warn("WAL checkpoints on a worker thread failed; SQLite checkpoints in the commits as by default", { error: reason });
    this.worker?.terminate();
    this.worker = undefined;
    this.sqlite.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
  }
}
