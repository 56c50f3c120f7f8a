import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../app.ts";
import { errorResponses } from "../http/errors.ts";

const route = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Server"],
  summary: "Prometheus metrics",
  description:
    "Text exposition format 0.0.4: open WebSocket connections, live conversations, stored events, actions by type, an action latency histogram (stored → observed), runtime errors, LLM tokens and cost since start, and the process's resident memory and start time.",
  responses: { 200: { description: "The metrics", content: { "text/plain": { schema: z.string() } } }, ...errorResponses(401, 429) },
});

export function metricsRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(route, (c) =>
    c.text(deps.metrics.render({ liveConversations: deps.manager.liveCount, storedEvents: deps.store.countEvents() }), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    }),
  );
  return app;
}
