import { OpenAPIHono } from "@hono/zod-openapi";
import type { Server } from "bun";
import { PatternRouter } from "hono/router/pattern-router";
import { secureHeaders } from "hono/secure-headers";
import type { Config } from "../config.ts";
import type { EventStore } from "../events/store.ts";
import type { ConversationManager } from "./conversation-manager.ts";
import { renderError, validationHook } from "./http/errors.ts";
import type { Metrics } from "./metrics.ts";
import { PUBLIC_PATHS, sessionAuth } from "./middleware/auth.ts";
import { refuseOwnBrowse } from "./middleware/browse-guard.ts";
import { corsFromSettings } from "./middleware/cors.ts";
import { loopbackHostGuard } from "./middleware/host-guard.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { actionRoutes } from "./routes/actions.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { eventRoutes } from "./routes/events.ts";
import { fileRoutes } from "./routes/files.ts";
import { gitRoutes } from "./routes/git.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { securityRoutes } from "./routes/security.ts";
import { trajectoryRoutes } from "./routes/trajectory.ts";
import { uploadRoutes } from "./routes/upload.ts";
import { zipRoutes } from "./routes/zip.ts";

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
  // One validation hook for every route: a zod failure is 400 invalid_args naming the field. PatternRouter
  // rather than Hono's default: the default compiles every route into one expression at the first request
  // (~5 ms of a cold start here); this one matches as fast at the API's ~60 routes (both ~15–40 µs a request).
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook, router: new PatternRouter() });
  // nosniff, no framing by other sites, no referrer… on every answer. HSTS is the TLS proxy's to set:
  // bunhands itself speaks plain HTTP (and a browser ignores HSTS there anyway).
  app.use("*", secureHeaders({ strictTransportSecurity: false }));
  // The agent's own browse and requests naming a loopback server by another host are refused outright;
  // then CORS (preflights and refusals carry its headers), the rate limit (unauthenticated floods too), and
  // the key: every route but /health needs SESSION_API_KEY when it is set (the UI is served before Hono).
  app.use("*", refuseOwnBrowse());
  app.use("*", loopbackHostGuard({ host: deps.config.HOST, corsOrigins: deps.config.CORS_ORIGINS }));
  app.use("*", corsFromSettings(deps.config.CORS_ORIGINS));
  app.use("*", rateLimit({ perMinute: deps.config.RATE_LIMIT_HTTP_PER_MIN }));
  app.use("*", sessionAuth({ apiKey: deps.config.SESSION_API_KEY }));
  app.route("/", healthRoutes(deps));
  app.route("/", conversationRoutes(deps));
  app.route("/", eventRoutes(deps));
  app.route("/", actionRoutes(deps));
  app.route("/", trajectoryRoutes(deps));
  app.route("/", fileRoutes(deps));
  app.route("/", zipRoutes(deps));
  app.route("/", gitRoutes(deps));
  app.route("/", uploadRoutes(deps));
  app.route("/", metricsRoutes(deps));
  app.route("/", securityRoutes());
  app.route("/", openApiRoutes(app, { publicPaths: PUBLIC_PATHS }));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}`, code: "not_found" }, 404));
  app.onError((error, c) => renderError(error, c));
  return app;
}
