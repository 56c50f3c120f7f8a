import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../app.ts";
import { errorResponses } from "../http/errors.ts";
import { conversationParams, eventOpenApi, json } from "../http/schemas.ts";
import { requireConversation } from "../http/workspace.ts";

/** Events read per step of the stream: bounded memory for any history length. */
const PAGE = 500;

const trajectorySchema = z
  .object({
    conversation_id: z.string(),
    trajectory: z.array(eventOpenApi).openapi({ description: "Every stored event, ascending ids (secrets were masked when stored)" }),
  })
  .openapi("Trajectory");

const route = createRoute({
  method: "get",
  path: "/api/conversations/{id}/trajectory",
  tags: ["Events"],
  summary: "Export the whole history (OpenHands-style trajectory); POST /api/conversations with `trajectory` replays its user actions",
  request: { params: conversationParams },
  responses: { 200: json(trajectorySchema, "The trajectory"), ...errorResponses(400, 401, 404, 429) },
});

export function trajectoryRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(route, (c) => {
    const { id } = c.req.valid("param");
    requireConversation(deps.store, id);
    const encoder = new TextEncoder();
    let after = -1;
    let first = true;
    // Streamed page by page from the stored wire JSON, never re-serialized.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`{"conversation_id":${JSON.stringify(id)},"trajectory":[`));
      },
      pull(controller) {
        const rows = deps.store.readJsonAfter(id, after, PAGE);
        if (rows.length === 0) {
          controller.enqueue(encoder.encode("]}"));
          controller.close();
          return;
        }
        after = rows[rows.length - 1]?.id ?? after;
        const text = rows.map((row) => row.json).join(",");
        controller.enqueue(encoder.encode(first ? text : `,${text}`));
        first = false;
      },
    });
    return new Response(body, {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "content-disposition": `inline; filename="trajectory-${id}.json"` },
    }) as never;
  });
  return app;
}
