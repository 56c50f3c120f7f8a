import { z } from "zod";

/** Who caused an event. */
export const sourceSchema = z.enum(["user", "agent", "environment"]);
export type EventSource = z.infer<typeof sourceSchema>;

export const AGENT_STATES = [
  "loading",
  "awaiting_user_input",
  "running",
  "paused",
  "stopped",
  "finished",
  "rejected",
  "error",
  "rate_limited",
  "awaiting_user_confirmation",
] as const;
export const agentStateSchema = z.enum(AGENT_STATES);
export type AgentState = z.infer<typeof agentStateSchema>;

// ---- action arguments (the same schemas serve the WebSocket, HTTP and the agent's tools) ----

export const messageArgsSchema = z.object({
  content: z.string(),
  image_urls: z.array(z.string()).optional(),
});
export const runArgsSchema = z.object({
  command: z.string(),
  timeout: z.number().positive().max(600).optional(),
  is_input: z.boolean().optional(),
});
export const readArgsSchema = z.object({
  path: z.string(),
  start: z.number().int().min(0).optional(),
  end: z.number().int().optional(),
});
export const writeArgsSchema = z.object({
  path: z.string(),
  content: z.string(),
});
export const editCommandSchema = z.enum(["view", "create", "str_replace", "insert", "undo_edit"]);
export const editArgsSchema = z.object({
  command: editCommandSchema,
  path: z.string(),
  file_text: z.string().optional(),
  old_str: z.string().optional(),
  new_str: z.string().optional(),
  insert_line: z.number().int().min(0).optional(),
  view_range: z.array(z.number().int()).length(2).optional(),
});
export const browseArgsSchema = z.object({ url: z.string().min(1) });
export const thinkArgsSchema = z.object({ thought: z.string() });
export const finishArgsSchema = z.object({ message: z.string().optional() });
export const changeAgentStateArgsSchema = z.object({
  agent_state: z.enum(["paused", "running", "stopped", "user_confirmed", "user_rejected"]),
});

/** Actions that are stored as events, with their argument schemas. */
export const actionArgsSchemas = {
  message: messageArgsSchema,
  run: runArgsSchema,
  read: readArgsSchema,
  write: writeArgsSchema,
  edit: editArgsSchema,
  browse: browseArgsSchema,
  think: thinkArgsSchema,
  finish: finishArgsSchema,
  change_agent_state: changeAgentStateArgsSchema,
} as const;
export type ActionName = keyof typeof actionArgsSchemas;
export const ACTION_NAMES = Object.keys(actionArgsSchemas) as ActionName[];
export type ActionArgs<N extends ActionName> = z.infer<(typeof actionArgsSchemas)[N]>;

export type RunArgs = z.infer<typeof runArgsSchema>;
export type ReadArgs = z.infer<typeof readArgsSchema>;
export type WriteArgs = z.infer<typeof writeArgsSchema>;
export type EditArgs = z.infer<typeof editArgsSchema>;
export type BrowseArgs = z.infer<typeof browseArgsSchema>;

/** Client-only control messages: not stored as actions themselves. */
export const initializeArgsSchema = z.object({
  model: z.string().min(1).optional(),
  directory: z.string().min(1).optional(),
  agent_cls: z.string().min(1).optional(),
  runtime: z.enum(["docker", "local"]).optional(),
  confirmation_mode: z.boolean().optional(),
  security_analyzer: z.union([z.string(), z.boolean()]).optional(),
});
export type InitializeArgs = z.infer<typeof initializeArgsSchema>;
export const startArgsSchema = z.object({ task: z.string() });

export const OBSERVATION_NAMES = [
  "run",
  "read",
  "write",
  "edit",
  "browse",
  "think",
  "error",
  "agent_state_changed",
  "user_rejected",
] as const;
export const observationNameSchema = z.enum(OBSERVATION_NAMES);
export type ObservationName = z.infer<typeof observationNameSchema>;

// ---- stored events: exactly the wire shape of PROTOCOL.md ----

const eventBase = {
  id: z.number().int().min(0),
  timestamp: z.string(),
  source: sourceSchema,
  message: z.string(),
};

export const actionEventSchema = z.object({
  ...eventBase,
  action: z.enum(ACTION_NAMES as [ActionName, ...ActionName[]]),
  args: z.record(z.string(), z.unknown()),
  /** Set on the agent's actions: the LLM tool call this action came from. */
  tool_call_id: z.string().optional(),
  /** Security risk rating when an analyzer rated it (0 low, 1 medium, 2 high). */
  security_risk: z.number().int().min(0).max(2).optional(),
});
export const observationEventSchema = z.object({
  ...eventBase,
  observation: observationNameSchema,
  content: z.string(),
  extras: z.record(z.string(), z.unknown()),
  cause: z.number().int().nullable(),
  tool_call_id: z.string().optional(),
});
export const eventSchema = z.union([actionEventSchema, observationEventSchema]);

export type ActionEvent = z.infer<typeof actionEventSchema>;
export type ObservationEvent = z.infer<typeof observationEventSchema>;
export type StoredEvent = ActionEvent | ObservationEvent;

/** An event before the store gives it an id and a timestamp. */
export type NewActionEvent = Omit<ActionEvent, "id" | "timestamp">;
export type NewObservationEvent = Omit<ObservationEvent, "id" | "timestamp">;
export type NewEvent = NewActionEvent | NewObservationEvent;

export function isAction(event: StoredEvent | NewEvent): event is ActionEvent {
  return "action" in event;
}
export function isObservation(event: StoredEvent | NewEvent): event is ObservationEvent {
  return "observation" in event;
}
