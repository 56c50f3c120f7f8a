import { z } from "zod";
import { AGENT_STATES, eventSchema, type AgentState, type StoredEvent } from "../../src/events/schema.ts";

// The UI's view of PROTOCOL.md: the event shapes come from the server's own schemas,
// the HTTP answers are described here, and every answer is checked before use.

export type { ActionEvent, AgentState, ObservationEvent, StoredEvent } from "../../src/events/schema.ts";
export { isAction, isObservation } from "../../src/events/schema.ts";

export const conversationSchema = z.object({
  conversation_id: z.string().min(1),
  title: z.string().nullable().optional(),
  agent_state: z.string().nullable().optional(),
  runtime: z.string().nullable().optional(),
  created_at: z.string().nullable().optional(),
  last_activity_at: z.string().nullable().optional(),
  confirmation_mode: z.boolean().nullable().optional(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationPageSchema = z.object({
  results: z.array(conversationSchema),
  next_page_id: z.string().nullable().optional(),
});

export const createdConversationSchema = z.object({
  conversation_id: z.string().min(1),
  status: z.string().optional(),
});

export const fileEntrySchema = z.object({
  path: z.string(),
  type: z.enum(["file", "dir"]),
  size: z.number().optional(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;
export const fileListingSchema = z.object({ files: z.array(fileEntrySchema) });

export const uploadResultSchema = z.object({
  uploaded_files: z.array(z.string()),
  skipped_files: z.array(z.object({ name: z.string(), reason: z.string() })).default([]),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;

export const errorBodySchema = z.object({ error: z.string(), code: z.string() });

// ---- WebSocket frames (server → client) ----

const connectedFrameSchema = z.object({
  status_update: z.literal(true),
  type: z.literal("connected"),
  conversation_id: z.string(),
  latest_event_id: z.number().int(),
});
const statusFrameSchema = z.object({
  status_update: z.literal(true),
  type: z.enum(["info", "error"]),
  id: z.string().optional(),
  message: z.string(),
});

export type ServerFrame =
  | { kind: "connected"; conversationId: string; latestEventId: number }
  | { kind: "status"; level: "info" | "error"; message: string }
  | { kind: "error"; code: string; error: string }
  | { kind: "event"; event: StoredEvent }
  | { kind: "invalid"; reason: string };

/** Classifies one text frame; anything the contract does not describe comes back as `invalid`. */
export function parseServerFrame(text: string): ServerFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: "frame is not JSON" };
  }
  // Events are nearly every frame, and a failed zod parse costs more than a good one: try the schema the
  // frame's own keys point to first (a replay brings thousands of events).
  const looksLikeEvent = typeof value === "object" && value !== null && "id" in value && !("status_update" in value);
  if (looksLikeEvent) {
    const event = eventSchema.safeParse(value);
    if (event.success) return { kind: "event", event: event.data };
  }
  const connected = connectedFrameSchema.safeParse(value);
  if (connected.success) {
    return { kind: "connected", conversationId: connected.data.conversation_id, latestEventId: connected.data.latest_event_id };
  }
  const status = statusFrameSchema.safeParse(value);
  if (status.success) return { kind: "status", level: status.data.type, message: status.data.message };
  const error = errorBodySchema.safeParse(value);
  if (error.success) return { kind: "error", code: error.data.code, error: error.data.error };
  const event = eventSchema.safeParse(value);
  if (event.success) return { kind: "event", event: event.data };
  return { kind: "invalid", reason: event.error.issues[0]?.message ?? "unknown frame" };
}

/** The agent states the protocol names; anything else is shown as unknown. */
export function toAgentState(value: unknown): AgentState | null {
  return typeof value === "string" && (AGENT_STATES as readonly string[]).includes(value) ? (value as AgentState) : null;
}

/** What a client may send: `{"action", "args"}`. */
export type ClientAction = { action: string; args: Record<string, unknown> };
