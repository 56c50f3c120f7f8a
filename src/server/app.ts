import { OpenAPIHono } from "@hono/zod-openapi";
import type { Server } from "bun";
import type { Config } from "../config.ts";
import type { EventStore } from "../events/store.ts";
import { log } from "../log.ts";
import type { ConversationManager } from "./conversation-manager.ts";
import type { Metrics } from "./metrics.ts";
import { healthRoutes } from "./routes/health.ts";

export type AppDeps = {
  config: Config;
  store: EventStore;
  manager: ConversationManager;
  metrics: Metrics;
  startedAt: number;
  runtimeKind: () => string;
};

/** Hono's environment: Bun's server, for the client address. */
export type AppEnv = { Bindings: { server?: Server<unknown> } };

/** The HTTP side: every route but /ws (upgraded before Hono sees it) and the bundled UI. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.route("/", healthRoutes(deps));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}`, code: "not_found" }, 404));
  app.onError((error, c) => {
    log.error("request failed", { method: c.req.method, path: c.req.path, error: String(error) });
    return c.json({ error: "internal error", code: "internal" }, 500);
  });
  return app;
}
