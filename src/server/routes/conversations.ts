import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { MAX_FRAME_BYTES } from "../../events/frame-limit.ts";
import type { AppDeps, AppEnv } from "../app.ts";
import { dispatchClientMessage } from "../dispatch.ts";
import { limitBody } from "../http/body-limit.ts";
import { errorResponses, invalidArgs } from "../http/errors.ts";
import { replayUserActions, trajectoryInputSchema, userActionsOf } from "../http/replay.ts";
import { conversationParams, conversationSchema, json, queryBoolean, queryIntWithDefault, toConversation } from "../http/schemas.ts";
import { requireConversation } from "../http/workspace.ts";
import { MAX_CREATE_BYTES } from "../request-limits.ts";

const TAG = ["Conversations"];
const MAX_PATCH_BYTES = 64 * 1024;

const createBody = z
  .object({
    initial_task: z.string().min(1).max(MAX_FRAME_BYTES).optional().openapi({ description: "Stored as the user's first message; the agent starts on it (like the WebSocket `start`)" }),
    initial_user_msg: z.string().min(1).max(MAX_FRAME_BYTES).optional().openapi({ description: "OpenHands' name for initial_task, accepted so that its clients work unchanged" }),
    title: z.string().trim().min(1).max(200).optional(),
    runtime: z.enum(["docker", "local"]).optional(),
    confirmation_mode: z.boolean().optional(),
    trajectory: trajectoryInputSchema.optional().openapi({ description: "An exported trajectory (GET …/trajectory, or its `trajectory` array): its user actions are replayed in order" }),
  })
  .openapi("NewConversation");

const createdSchema = z
  .object({
    conversation_id: z.string(),
    status: z.literal("ok"),
    replayed_actions: z.number().int().optional().openapi({ description: "User actions of the trajectory being replayed (in the background, in order)" }),
  })
  .openapi("ConversationCreated");

const listQuery = z.object({
  page_id: z
    .string()
    .max(1024)
    .refine(isPageId, "is not a page id returned by this server")
    .optional()
    .openapi({ description: "next_page_id of the previous page" }),
  limit: queryIntWithDefault(1, 100, 20),
});

const pageSchema = z.object({ results: z.array(conversationSchema), next_page_id: z.string().nullable() }).openapi("ConversationPage");

const createConversation = createRoute({
  method: "post",
  path: "/api/conversations",
  tags: TAG,
  summary: "Create a conversation (optionally with a first task, or replaying a trajectory)",
  middleware: [limitBody(MAX_CREATE_BYTES)],
  request: { body: { content: { "application/json": { schema: createBody } }, required: false } },
  responses: { 201: json(createdSchema, "Created"), ...errorResponses(400, 401, 413, 429, 503) },
});

const listConversations = createRoute({
  method: "get",
  path: "/api/conversations",
  tags: TAG,
  summary: "List conversations, newest activity first",
  request: { query: listQuery },
  responses: { 200: json(pageSchema, "A page of conversations"), ...errorResponses(400, 401, 429) },
});

const getConversation = createRoute({
  method: "get",
  path: "/api/conversations/{id}",
  tags: TAG,
  summary: "One conversation",
  request: { params: conversationParams },
  responses: { 200: json(conversationSchema, "The conversation"), ...errorResponses(400, 401, 404, 429) },
});

const patchConversation = createRoute({
  method: "patch",
  path: "/api/conversations/{id}",
  tags: TAG,
  summary: "Rename a conversation",
  middleware: [limitBody(MAX_PATCH_BYTES)],
  request: {
    params: conversationParams,
    body: { content: { "application/json": { schema: z
            .object({
              title: z.string().trim().min(1).max(200).optional(),
              confirmation_mode: z.boolean().optional().openapi({ description: "Switch confirmation mode mid-conversation" }),
            })
            .refine((body) => body.title !== undefined || body.confirmation_mode !== undefined, "give title or confirmation_mode")
            .openapi("ConversationPatch") } }, required: true },
  },
  responses: { 200: json(conversationSchema, "The renamed conversation"), ...errorResponses(400, 401, 404, 413, 429) },
});

const deleteConversation = createRoute({
  method: "delete",
  path: "/api/conversations/{id}",
  tags: TAG,
  summary: "Delete a conversation: stops its sandbox, removes its events and (unless keep_workspace) its workspace",
  request: { params: conversationParams, query: z.object({ keep_workspace: queryBoolean.optional() }) },
  responses: {
    200: json(z.object({ conversation_id: z.string(), deleted: z.literal(true) }).openapi("ConversationDeleted"), "Deleted"),
    ...errorResponses(400, 401, 404, 429),
  },
});

export function conversationRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(createConversation, async (c) => {
    const body = c.req.valid("json");
    if (body.initial_task !== undefined && body.initial_user_msg !== undefined) throw invalidArgs("give initial_task or initial_user_msg (its OpenHands name), not both");
    const task = body.initial_task ?? body.initial_user_msg;
    if (task !== undefined && body.trajectory !== undefined) throw invalidArgs("give initial_task or trajectory, not both");
    // Validate the whole trajectory before anything is created.
    const replay = body.trajectory ? userActionsOf(body.trajectory) : [];
    const session = await deps.manager.create({ title: body.title, runtime: body.runtime, confirmation_mode: body.confirmation_mode });
    if (task !== undefined) await dispatchClientMessage(session, { kind: "start", task });
    if (body.trajectory) void replayUserActions(session, replay);
    return c.json({ conversation_id: session.conversationId, status: "ok" as const, ...(body.trajectory ? { replayed_actions: replay.length } : {}) }, 201);
  });

  app.openapi(listConversations, (c) => {
    const { page_id, limit } = c.req.valid("query");
    const page = deps.store.listConversations(limit, page_id);
    return c.json({ results: page.results.map(toConversation), next_page_id: page.nextPageId }, 200);
  });

  app.openapi(getConversation, (c) => c.json(toConversation(requireConversation(deps.store, c.req.valid("param").id)), 200));

  app.openapi(patchConversation, async (c) => {
    const { id } = c.req.valid("param");
    requireConversation(deps.store, id);
    const { title, confirmation_mode } = c.req.valid("json");
    // A live session changes at once (it keeps its own copy of the record); a closed one reads the record when it opens.
    const live = deps.manager.isLive(id) ? await deps.manager.get(id) : undefined;
    if (title !== undefined) {
      if (live) live.rename(title);
      else deps.store.updateConversation(id, { title });
    }
    if (confirmation_mode !== undefined) {
      if (live) live.setConfirmationMode(confirmation_mode);
      else deps.store.updateConversation(id, { confirmation_mode });
    }
    return c.json(toConversation(requireConversation(deps.store, id)), 200);
  });

  app.openapi(deleteConversation, async (c) => {
    const { id } = c.req.valid("param");
    await deps.manager.delete(id, { keepWorkspace: c.req.valid("query").keep_workspace ?? false });
    return c.json({ conversation_id: id, deleted: true as const }, 200);
  });

  return app;
}

/** The store's page ids are base64url JSON [last_activity_at, id]: anything else is a client error, not page one. */
function isPageId(value: string): boolean {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, "base64url").toString());
    return Array.isArray(decoded) && decoded.length === 2 && decoded.every((part) => typeof part === "string");
  } catch {
    return false;
  }
}
