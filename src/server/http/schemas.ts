import { z } from "@hono/zod-openapi";
import { actionEventSchema, observationEventSchema } from "../../events/schema.ts";
import type { ConversationRecord } from "../../events/store.ts";

/** Schemas shared by the HTTP routes (the event shapes come from src/events/schema.ts, shared with the WebSocket). */

export const conversationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a conversation id (letters, digits, _ and -)")
  .openapi({ example: "3f9c2a5e0b6d4e1f8a7b6c5d4e3f2a1b" });

export const conversationParams = z.object({ id: conversationIdSchema });

/** "true"/"false"/"1"/"0" in a query string (z.coerce.boolean would read "false" as true). */
export const queryBoolean = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1")
  .openapi({ type: "boolean" });

/** A query integer with bounds, coerced from the query string (typed explicitly: the generator would add null). */
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max).openapi({ type: "integer", minimum: min, maximum: max });

/** The same with a default for when it is absent. */
export const queryIntWithDefault = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback).openapi({ type: "integer", minimum: min, maximum: max, default: fallback });

// Clones: the event schemas may have been built before @hono/zod-openapi gave zod's schemas .openapi()
// (zod copies methods onto each schema as it is built), and these are the only schemas of another module
// that get one. A clone is built now, so it has it whatever order the modules were loaded in.
export const actionEventOpenApi = actionEventSchema.clone().openapi("ActionEvent");
export const observationEventOpenApi = observationEventSchema.clone().openapi("ObservationEvent");
export const eventOpenApi = z.union([actionEventOpenApi, observationEventOpenApi]).openapi("Event");

export const conversationSchema = z
  .object({
    conversation_id: z.string(),
    title: z.string(),
    agent_state: z.string().openapi({ description: "The agent's state (loading, awaiting_user_input, running, …)" }),
    runtime: z.string().openapi({ description: "docker or local (auto until the sandbox first starts)" }),
    created_at: z.string().openapi({ description: "ISO 8601 UTC" }),
    last_activity_at: z.string().openapi({ description: "ISO 8601 UTC: the newest stored event, or the creation" }),
    confirmation_mode: z.boolean(),
    usage: z.record(z.string(), z.unknown()).optional().openapi({ description: "LLM token use and cost, once the agent has used it" }),
  })
  .openapi("Conversation");
export type ConversationBody = z.infer<typeof conversationSchema>;

/** The public shape of a stored conversation (the workspace path and raw settings stay inside). */
export function toConversation(record: ConversationRecord): ConversationBody {
  const usage = record.settings.usage;
  return {
    conversation_id: record.conversation_id,
    title: record.title,
    agent_state: record.agent_state,
    runtime: record.runtime,
    created_at: record.created_at,
    last_activity_at: record.last_activity_at,
    confirmation_mode: record.confirmation_mode,
    ...(usage && typeof usage === "object" ? { usage: usage as Record<string, unknown> } : {}),
  };
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
