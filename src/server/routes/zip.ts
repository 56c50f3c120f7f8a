import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../app.ts";
import { errorResponses } from "../http/errors.ts";
import { conversationParams } from "../http/schemas.ts";
import { zipWorkspace } from "../http/zip-stream.ts";
import { requireConversation } from "../http/workspace.ts";

const route = createRoute({
  method: "get",
  path: "/api/conversations/{id}/zip",
  tags: ["Files"],
  summary: "Download the workspace as a zip (streamed; .gitignore honoured, .git and node_modules left out)",
  request: { params: conversationParams },
  responses: {
    200: { description: "The zip archive", content: { "application/zip": { schema: z.string().openapi({ format: "binary" }) } } },
    ...errorResponses(400, 401, 404, 429),
  },
});

export function zipRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(route, (c) => {
    const record = requireConversation(deps.store, c.req.valid("param").id);
    // A conversation whose sandbox never started has no folder yet: that is an empty archive, not an error.
    const body = zipWorkspace(record.workspace);
    // A raw streamed Response: the route's typed helpers only build JSON and text bodies.
    return new Response(body, {
      status: 200,
      headers: { "content-type": "application/zip", "content-disposition": `attachment; filename="workspace-${record.conversation_id}.zip"` },
    }) as never;
  });
  return app;
}
