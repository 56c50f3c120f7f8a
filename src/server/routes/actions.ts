import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { parseClientMessage } from "../../events/client-message.ts";
import { MAX_FRAME_BYTES } from "../../events/frame-limit.ts";
import { ACTION_NAMES } from "../../events/schema.ts";
import type { AppDeps, AppEnv } from "../app.ts";
import { dispatchClientMessage } from "../dispatch.ts";
import { limitBody } from "../http/body-limit.ts";
import { ApiError, errorResponses, validationError, type ErrorBody } from "../http/errors.ts";
import { conversationParams, eventOpenApi, json } from "../http/schemas.ts";

const messageSchema = z
  .object({
    action: z.string().openapi({ description: `initialize, start, chat (alias of message), ${ACTION_NAMES.join(", ")}` }),
    args: z.record(z.string(), z.unknown()).optional().openapi({ description: "The action's arguments, exactly as over the WebSocket (see GET /ws)" }),
  })
  .openapi("ClientMessage", { example: { action: "run", args: { command: "ls -la" } } });

const acceptedSchema = z.union([eventOpenApi, z.object({ status: z.literal("ok") })]);

const route = createRoute({
  method: "post",
  path: "/api/conversations/{id}/actions",
  tags: ["Events"],
  summary: "Send a message, exactly as a WebSocket client would",
  description:
    "The same messages and the same error codes as the WebSocket (`invalid_message`, `unknown_action`, `invalid_args`: 400; over 1 MiB: 413 `too_large`). " +
    "The action is stored, published to the WebSocket clients of the conversation and executed; its observation follows in the events route. " +
    "`initialize` stores no action and answers `{\"status\": \"ok\"}`.",
  middleware: [limitBody(MAX_FRAME_BYTES, "the message")],
  request: { params: conversationParams, body: { content: { "application/json": { schema: messageSchema } }, required: true } },
  responses: { 202: json(acceptedSchema, "Stored (the stored action event), or initialized"), ...errorResponses(400, 401, 404, 413, 415, 429, 503) },
});

function refuse(error: ErrorBody): ApiError {
  return new ApiError(error.code === "too_large" ? 413 : 400, error.code, error.error);
}

export function actionRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    route,
    async (c) => {
      const parsed = parseClientMessage(c.req.valid("json"));
      if (!parsed.ok) throw refuse(parsed.error);
      const session = await deps.manager.get(c.req.valid("param").id);
      const stored = await dispatchClientMessage(session, parsed.message);
      return c.json(stored ?? { status: "ok" as const }, 202);
    },
    (result) => {
      // A body that fails the envelope gets the WebSocket's own code for it (invalid_message / invalid_args).
      if (result.success) return undefined;
      if (result.target !== "json") throw validationError(result.target, result.error);
      const parsed = parseClientMessage((result as { data?: unknown }).data);
      throw refuse(parsed.ok ? { error: "invalid message", code: "invalid_message" } : parsed.error);
    },
  );
  return app;
}
