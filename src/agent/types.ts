import type { Config } from "../config.ts";
import type { EventStream } from "../events/stream.ts";
import type { AgentState } from "../events/schema.ts";
import type { WorkspaceRoots } from "../runtime/paths.ts";

/** What the server gives an agent controller; the controller subscribes to the stream itself. */
export type AgentContext = {
  conversationId: string;
  stream: EventStream;
  config: Config;
  /** The model for this conversation (initialize.model, else LLM_MODEL). */
  model: string;
  agentCls: string;
  /** The workspace on the server (host) and as the sandbox's commands see it (the system prompt's). */
  workspace: WorkspaceRoots;
  /** The state to start from (a conversation rebuilt after a restart). */
  initialState: AgentState;
  /** Persists the agent state (and usage) on the conversation record. */
  onStateChange: (state: AgentState, extras: Record<string, unknown>) => void;
  /** Persists the conversation's cumulative token usage and cost (shown on the conversation). */
  recordUsage: (usage: AgentUsage) => void;
  /** Usage recorded before (a conversation rebuilt after a restart). */
  initialUsage?: AgentUsage;
  /** Sends a status frame (never stored) to the conversation's clients, e.g. while an LLM retry waits. */
  notify?: (status: AgentStatus) => void;
};

/** A PROTOCOL.md status frame without its `status_update: true`. */
export type AgentStatus = { type: "info" | "error"; id: string; message: string };

export type AgentUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cost_usd: number;
};

/**
 * The agent side of a conversation. It answers user `message`, `finish` and `change_agent_state`
 * (paused/running/stopped) actions; the session's executor answers run/read/write/edit/browse/think, and
 * its confirmation gate answers user_confirmed/user_rejected.
 */
export interface AgentController {
  readonly state: AgentState;
  /** Moves the agent to a state and stores the agent_state_changed event. */
  setState(state: AgentState, cause: number | null, reason?: string): Promise<void>;
  /** Stops the loop (aborting an LLM request in flight) and unsubscribes. */
  close(): Promise<void>;
}
