import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { VERSION } from "../../version.ts";
import type { AppDeps, AppEnv } from "../app.ts";

const healthSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
  uptime_s: z.number(),
  conversations: z.number().int().openapi({ description: "Live conversations" }),
  runtime: z.string().openapi({ description: "The RUNTIME setting" }),
});

const route = createRoute({
  method: "get",
  path: "/health",
  summary: "Liveness and basic facts",
  responses: { 200: { description: "The server is up", content: { "application/json": { schema: healthSchema } } } },
});

export function healthRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(route, (c) =>
    c.json({ status: "ok" as const, version: VERSION, uptime_s: Math.round((Date.now() - deps.startedAt) / 100) / 10, conversations: deps.manager.liveCount, runtime: deps.runtimeKind() }, 200),
  );
  return app;
}
