import type { Server, ServerWebSocket } from "bun";
import ui from "../../frontend/index.html";
import type { Config } from "../config.ts";
import type { SqliteEventStore } from "../events/sqlite-store.ts";
import { log } from "../log.ts";
import { bindWarning } from "../security/bind-warning.ts";
import { prepareRuntimes, shutdownRuntimes } from "../runtime/create.ts";
import { createApp } from "./app.ts";
import { openCore } from "./core.ts";
import type { ConversationManager } from "./conversation-manager.ts";
import { prepareDirectories } from "./directories.ts";
import type { Metrics } from "./metrics.ts";
import { isAuthorized, unauthorizedBody } from "./middleware/auth.ts";
import { TokenBucket } from "./middleware/rate-limit.ts";
import { websocketOriginCheck } from "./middleware/websocket-origin.ts";
import { maxRequestBodySize } from "./request-limits.ts";
import { listenError } from "./start-error.ts";
import { lockStateDir } from "./state-lock.ts";
import { socketHandlers, upgradeSocket, type SocketData } from "./websocket.ts";

export type ServerHandle = {
  server: Server<SocketData>;
  url: string;
  port: number;
  config: Config;
  manager: ConversationManager;
  store: SqliteEventStore;
  metrics: Metrics;
  /** Stops accepting, closes sockets (1001), closes conversations and flushes the store. */
  stop(): Promise<void>;
};

/** Opens the store, builds the app and serves HTTP, WebSocket and the UI. */
export async function startServer(config: Config): Promise<ServerHandle> {
  prepareDirectories(config);
  const releaseStateDir = lockStateDir(config.STATE_DIR);
  let server: Server<SocketData> | undefined;
  const { store, manager, metrics } = withRelease(releaseStateDir, () =>
    openCore(config, (topic, frame) => {
      server?.publish(topic, frame);
    }),
  );
  const app = createApp({ config, store, manager, metrics, startedAt: Date.now(), runtimeKind: () => config.RUNTIME });
  const sockets = new Set<ServerWebSocket<SocketData>>();
  const socketDeps = {
    sockets,
    manager,
    metrics,
    refuseOrigin: websocketOriginCheck({ corsOrigins: config.CORS_ORIGINS, host: config.HOST }),
    authorize: (request: Request) =>
      isAuthorized(request, config.SESSION_API_KEY)
        ? undefined
        : new Response(JSON.stringify(unauthorizedBody(request)), { status: 401, headers: { "content-type": "application/json" } }),
    frameLimiter: () => {
      const bucket = new TokenBucket(config.RATE_LIMIT_WS_PER_S, config.RATE_LIMIT_WS_PER_S);
      return () => bucket.take();
    },
  };
  try {
    server = listen(config, app, socketDeps);
  } catch (error) {
    await manager.closeAll();
    store.close();
    releaseStateDir();
    throw listenError(error, config.HOST, config.PORT);
  }
  // Orphan sandboxes of an earlier run go (the resumed ones are re-attached), then working agents go on.
  const working = manager.workingIds();
  void prepareRuntimes(config, new Set(working))
    .catch((error) => log.warn("sandbox preparation failed", { error: String(error) }))
    .then(() => manager.resumeWorking(working));
  const port = server.port ?? config.PORT;
  const url = `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;
  const warning = bindWarning(config.HOST, config.SESSION_API_KEY);
  if (warning) console.warn(warning);
  log.info("listening", { url, runtime: config.RUNTIME, state_dir: config.STATE_DIR, workspace_base: config.WORKSPACE_BASE });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      server?.stop(false);
      for (const ws of sockets) ws.close(1001, "server shutting down");
      await manager.drain(config.SHUTDOWN_GRACE_S * 1000);
      await manager.closeAll();
      await shutdownRuntimes().catch(() => {});
      server?.stop(true);
      store.close();
      releaseStateDir();
      log.info("stopped");
    })());
  return { server, url, port, config, manager, store, metrics, stop };
}

/** Runs a step of the start; when it fails, STATE_DIR is given back before the error goes on. */
function withRelease<T>(release: () => void, step: () => T): T {
  try {
    return step();
  } catch (error) {
    release();
    throw error;
  }
}

type SocketDeps = Parameters<typeof socketHandlers>[0];

/** Bun.serve with HTTP (the Hono app), /ws and the single-page app. */
function listen(config: Config, app: ReturnType<typeof createApp>, socketDeps: SocketDeps): Server<SocketData> {
  return Bun.serve<SocketData>({
    port: config.PORT,
    hostname: config.HOST,
    development: false,
    // Bun turns SO_REUSEPORT on outside development mode: a second server on the same port would start
    // without an error and the kernel would share the connections between the two.
    reusePort: false,
    maxRequestBodySize: maxRequestBodySize(config),
    // The single-page app: its routes fall back to index.html.
    routes: { "/": ui, "/index.html": ui, "/conversations/*": ui },
    fetch(request, srv) {
      const url = new URL(request.url);
      if (url.pathname === "/ws") return upgradeSocket(request, srv, socketDeps);
      return app.fetch(request, { server: srv });
    },
    websocket: socketHandlers(socketDeps),
  });
}
