import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ACTION_NAMES } from "../../events/schema.ts";
import { VERSION } from "../../version.ts";
import type { AppEnv } from "../app.ts";
import { errorResponses, type ErrorBody } from "../http/errors.ts";
import { conversationIdSchema, queryInt } from "../http/schemas.ts";

const WS_DESCRIPTION = `The WebSocket protocol (PROTOCOL.md). Frames are UTF-8 JSON text, one object per frame.

**Query**: \`conversation_id\` joins that conversation (unknown: one \`not_found\` error frame, then close code 4404; absent: a new conversation is created);
\`latest_event_id\` (default -1) replays every stored event with a larger id before any live one (no gap, no duplicate);
\`session_api_key\` when the server has SESSION_API_KEY (or the X-Session-API-Key / Authorization: Bearer header); without it the upgrade is refused with HTTP 401.

**Server → client frames**
1. Connected (first frame, never stored): \`{"status_update": true, "type": "connected", "conversation_id", "latest_event_id"}\`.
2. Events (stored, replayable; ids 0, 1, 2… per conversation): an action \`{"id", "timestamp", "source", "action", "args", "message"}\`
   or an observation \`{"id", "timestamp", "source", "observation", "content", "extras", "cause", "message"}\` (schemas ActionEvent / ObservationEvent).
3. Errors (never stored): \`{"error", "code"}\`, code one of invalid_json, invalid_message, unknown_action, invalid_args, not_found, unauthorized, rate_limited, too_large, busy, internal.
4. Status (never stored): \`{"status_update": true, "type": "info"|"error", "id": "STATUS$…", "message"}\`.

**Client → server messages**: \`{"action": NAME, "args": {…}}\` (schema ClientMessage) with NAME one of initialize (model?, directory?, agent_cls?, runtime?, confirmation_mode?, security_analyzer?),
start (task), chat (alias of message), ${ACTION_NAMES.map((name) => `\`${name}\``).join(", ")}.
Every stored action is answered by an observation whose \`cause\` is its id. POST /api/conversations/{id}/actions takes the same messages over HTTP.`;

const wsRoute = createRoute({
  method: "get",
  path: "/ws",
  tags: ["WebSocket"],
  summary: "WebSocket: join or create a conversation and exchange events",
  description: WS_DESCRIPTION,
  request: {
    query: z.object({
      conversation_id: conversationIdSchema.optional(),
      latest_event_id: queryInt(-1, Number.MAX_SAFE_INTEGER).optional(),
      session_api_key: z.string().optional(),
    }),
  },
  responses: {
    101: { description: "Switching protocols: the socket is open; the first frame is the connected frame" },
    426: { description: "Not an upgrade request", content: { "application/json": { schema: z.object({ error: z.string(), code: z.string() }) } } },
    ...errorResponses(400, 401, 429),
  },
});

const documentRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  tags: ["Server"],
  summary: "This document: OpenAPI 3.1, generated from the route schemas",
  responses: { 200: { description: "The OpenAPI document", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } }, ...errorResponses(401, 429) },
});

/** The generator's input: also used by tests to compare the document with the app's routes. */
export const DOCUMENT_CONFIG: Parameters<OpenAPIHono["getOpenAPI31Document"]>[0] = {
  openapi: "3.1.0",
  info: {
    title: "bunhands",
    version: VERSION,
    description: "A Bun-native server for AI coding agents. Errors are `{\"error\", \"code\"}`. With SESSION_API_KEY set, every route but GET /health needs the key.",
  },
  security: [{ sessionApiKey: [] }, { bearer: [] }],
};

/**
 * GET /openapi.json (the document of `root`, built when asked, so every route mounted on it is in) and the
 * GET /ws operation that documents the WebSocket (Bun upgrades /ws before Hono sees it; a plain GET that
 * reaches Hono is answered 426).
 */
export function openApiRoutes(root: OpenAPIHono<AppEnv>, options: { publicPaths: readonly string[] }): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  root.openAPIRegistry.registerComponent("securitySchemes", "sessionApiKey", { type: "apiKey", in: "header", name: "X-Session-API-Key" });
  root.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.openapi(wsRoute, (c) => c.json({ error: "GET /ws needs a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)", code: "invalid_message" } satisfies ErrorBody, 426));
  // Built once, on first request: by then every route has been mounted on root.
  let document: Record<string, unknown> | undefined;
  app.openapi(documentRoute, (c) => c.json((document ??= markPublic(root.getOpenAPI31Document(DOCUMENT_CONFIG), options.publicPaths)), 200));
  return app;
}

type Document = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

/** Operations that need no key get an empty `security` (the document's default asks for the key). */
function markPublic(document: Document, publicPaths: readonly string[]): Record<string, unknown> {
  for (const path of publicPaths) {
    const item = document.paths?.[path] as Record<string, { security?: unknown[] }> | undefined;
    for (const operation of Object.values(item ?? {})) if (operation && typeof operation === "object") operation.security = [];
  }
  return { ...document };
}
