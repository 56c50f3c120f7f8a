import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../app.ts";
import { errorResponses, invalidArgs } from "../http/errors.ts";
import { conversationParams, eventOpenApi, json, queryBoolean, queryInt, queryIntWithDefault } from "../http/schemas.ts";
import { requireConversation } from "../http/workspace.ts";

const eventsQuery = z.object({
  start_id: queryIntWithDefault(0, Number.MAX_SAFE_INTEGER, 0).openapi({ description: "The lowest id to return (inclusive)" }),
  end_id: queryInt(0, Number.MAX_SAFE_INTEGER).optional().openapi({ description: "The highest id to return (inclusive)" }),
  limit: queryIntWithDefault(1, 1000, 100),
  reverse: queryBoolean.optional().openapi({ description: "Newest first: from end_id (or the newest event) down to start_id" }),
});

const pageSchema = z
  .object({
    events: z.array(eventOpenApi),
    has_more: z.boolean().openapi({ description: "More events match the range past this page" }),
  })
  .openapi("EventPage");

const route = createRoute({
  method: "get",
  path: "/api/conversations/{id}/events",
  tags: ["Events"],
  summary: "Stored events of a conversation, paged by id",
  request: { params: conversationParams, query: eventsQuery },
  responses: { 200: json(pageSchema, "A page of events, ascending ids unless reverse"), ...errorResponses(400, 401, 404, 429) },
});

export function eventRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(route, (c) => {
    const { id } = c.req.valid("param");
    const { start_id, end_id, limit, reverse } = c.req.valid("query");
    if (end_id !== undefined && end_id < start_id) throw invalidArgs(`end_id (${end_id}) is below start_id (${start_id})`);
    requireConversation(deps.store, id);
    // One more than asked tells whether another page exists.
    const rows = deps.store.read(id, { startId: start_id, endId: end_id, limit: limit + 1, reverse: reverse ?? false });
    return c.json({ events: rows.slice(0, limit), has_more: rows.length > limit }, 200);
  });
  return app;
}
