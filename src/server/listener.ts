import type { Server, ServerWebSocket } from "bun";
import { join } from "node:path";
import ui from "../../frontend/index.html";
import type { Config } from "../config.ts";
import { DATABASE_FILE, openDatabase, type Db } from "../db/client.ts";
import { healthFacts } from "./health-facts.ts";
import { hostRefusal } from "./middleware/host-guard.ts";
import { maxRequestBodySize } from "./request-limits.ts";
import type { SocketData } from "./session.ts";
import { SOCKET_OPTIONS } from "./socket-options.ts";
import { lockStateDir } from "./state-lock.ts";

/** What the listener hands every request and socket to, once the server's modules have loaded. */
export type AttachedApp = {
  fetch(request: Request, server: Server<SocketData>): Response | undefined | Promise<Response | undefined>;
  open(ws: ServerWebSocket<SocketData>): void;
  message(ws: ServerWebSocket<SocketData>, message: string | Buffer): void;
  drain(ws: ServerWebSocket<SocketData>): void;
  close(ws: ServerWebSocket<SocketData>, code: number): void;
};

export type Listener = {
  server: Server<SocketData>;
  /** The store's database, open and migrated before the port was bound. */
  db: Db;
  url: string;
  port: number;
  startedAt: number;
  /** Every request from now on goes to `app`, and so do the ones that were waiting. */
  attach(app: AttachedApp): void;
  /** The app could not be built: the waiting requests and every later one get a 503 naming why. */
  fail(error: unknown): void;
  /** Stops listening, closes the database and releases STATE_DIR (when no app was attached to do it). */
  close(): void;
  releaseStateDir(): void;
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * The first half of a start: STATE_DIR taken, the database open and migrated, the port bound, and GET /health
 * answered, all before the server's ~40 modules (zod schemas, routes, agent, sandboxes) have been evaluated.
 * Any other request that arrives meanwhile waits for them (main.ts loads them right away, a few at a time so
 * that this loop keeps answering), then is served as usual: nothing is refused for being early.
 */
export function listen(config: Config): Listener {
  const releaseStateDir = lockStateDir(config.STATE_DIR);
  let db: Db;
  try {
    db = openDatabase(join(config.STATE_DIR, DATABASE_FILE));
  } catch (error) {
    releaseStateDir();
    throw error;
  }
  const startedAt = Date.now();
  const refuseHost = hostRefusal({ host: config.HOST, corsOrigins: config.CORS_ORIGINS });
  let app: AttachedApp | undefined;
  let failure: Response | undefined;
  let announceReady: (app: AttachedApp | undefined) => void = () => {};
  const ready = new Promise<AttachedApp | undefined>((resolve) => (announceReady = resolve));
  const unavailable = () => failure?.clone() ?? json(503, { error: "the server failed to start", code: "internal" });

  const early = (request: Request, server: Server<SocketData>): Response | Promise<Response | undefined> => {
    if (failure) return failure.clone();
    const { pathname } = new URL(request.url);
    if (pathname === "/health" && (request.method === "GET" || request.method === "HEAD")) {
      const refusal = refuseHost(request.headers.get("host") ?? undefined);
      if (refusal) return json(403, { error: refusal, code: "unauthorized" });
      return json(200, healthFacts(startedAt, 0, config.RUNTIME));
    }
    return ready.then((attached) => (attached ? attached.fetch(request, server) : unavailable()));
  };

  let server: Server<SocketData>;
  try {
    server = Bun.serve<SocketData>({
      port: config.PORT,
      hostname: config.HOST,
      development: false,
      maxRequestBodySize: maxRequestBodySize(config),
      // The single-page app: its routes fall back to index.html.
      routes: { "/": ui, "/index.html": ui, "/conversations/*": ui },
      fetch: (request, srv) => (app ? app.fetch(request, srv) : early(request, srv)),
      // Sockets are only upgraded by the attached app's fetch, so `app` is set for each of these.
      websocket: {
        ...SOCKET_OPTIONS,
        open: (ws) => app?.open(ws),
        message: (ws, message) => app?.message(ws, message),
        drain: (ws) => app?.drain(ws),
        close: (ws, code) => app?.close(ws, code),
      },
    });
  } catch (error) {
    db.$client.close();
    releaseStateDir();
    throw error;
  }
  const port = server.port ?? config.PORT;
  return {
    server,
    db,
    port,
    url: `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`,
    startedAt,
    attach(attached) {
      app = attached;
      announceReady(attached);
    },
    fail(error) {
      failure = json(503, { error: `the server failed to start: ${error instanceof Error ? error.message : String(error)}`, code: "internal" });
      announceReady(undefined);
    },
    close() {
      server.stop(true);
      db.$client.close();
      releaseStateDir();
    },
    releaseStateDir,
  };
}
