import type { ChatMessage } from "./condenser.ts";
import type { ContentBlockParam, TextBlockParam, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { ActionEvent, ObservationEvent, StoredEvent } from "../events/schema.ts";
import { isAction } from "../events/schema.ts";
import type { EventLog } from "./event-log.ts";
import { toolResultOf } from "./tool-result.ts";

/** Error id of the observation that records a tool call the agent could not turn into an action. */
export const INVALID_TOOL_CALL = "INVALID_TOOL_CALL";

/** Which tool produced each action, so a rebuilt history names the tool the model called. */
const TOOL_OF_ACTION: Record<string, string> = {
  run: "execute_bash",
  edit: "str_replace_editor",
  browse: "browser",
  think: "think",
  finish: "finish",
  read: "str_replace_editor",
  write: "str_replace_editor",
};

/**
 * The model's view of a conversation, rebuilt from its stored events (the same path live and after a
 * restart): user messages, the agent's text, each tool call with its result, and what the user did directly.
 */
export function buildMessages(log: EventLog): ChatMessage[] {
  const messages = new MessageList();
  for (const event of log.events) {
    if (isAction(event)) addAction(messages, log, event);
    else addObservation(messages, log, event);
  }
  return messages.done();
}

function addAction(messages: MessageList, log: EventLog, event: ActionEvent): void {
  if (event.action === "message") {
    const content = String(event.args.content ?? "");
    if (event.source === "agent") messages.text("assistant", content);
    else if (event.source === "user") messages.text("user", content || "(an empty message)");
    return;
  }
  if (event.source !== "agent" || !event.tool_call_id) return;
  // A tool call and its result go in together, so that an interrupted call still gets a result.
  const name = TOOL_OF_ACTION[event.action] ?? event.action;
  messages.add("assistant", { type: "tool_use", id: event.tool_call_id, name, input: event.args });
  messages.toolResult(event.tool_call_id, log.answerOf(event.id));
}

function addObservation(messages: MessageList, log: EventLog, event: ObservationEvent): void {
  if (event.extras.error_id === INVALID_TOOL_CALL && event.tool_call_id) {
    const name = String(event.extras.tool_name ?? "unknown");
    const input = event.extras.tool_input ?? {};
    messages.add("assistant", { type: "tool_use", id: event.tool_call_id, name, input });
    messages.toolResult(event.tool_call_id, event);
    return;
  }
  if (event.cause === null || event.cause === undefined) return;
  const action = log.actionById(event.cause);
  // What the user did directly (a command, an edit) is context the model should know about.
  if (!action || action.action === "message" || action.action === "change_agent_state" || action.action === "finish") return;
  if (action.source === "agent" && action.tool_call_id) return;
  if (log.answerOf(action.id) !== event) return;
  const result = toolResultOf(event);
  messages.text("user", `[The user ran the ${action.action} action ${JSON.stringify(action.args)} directly. Result:]\n${result.content}`);
}

/** Builds strictly alternating messages; tool results lead a user message, as the API requires. */
class MessageList {
  private readonly list: Array<{ role: "user" | "assistant"; content: ContentBlockParam[] }> = [];

  text(role: "user" | "assistant", text: string): void {
    if (!text.trim()) return;
    this.add(role, { type: "text", text } satisfies TextBlockParam);
  }

  toolResult(toolUseId: string, answer: ObservationEvent | undefined): void {
    const result = toolResultOf(answer);
    const block: ToolResultBlockParam = { type: "tool_result", tool_use_id: toolUseId, content: result.content, ...(result.isError ? { is_error: true } : {}) };
    this.add("user", block);
  }

  add(role: "user" | "assistant", block: ContentBlockParam): void {
    const last = this.list.at(-1);
    if (!last || last.role !== role) {
      this.list.push({ role, content: [block] });
      return;
    }
    if (block.type !== "tool_result") {
      last.content.push(block);
      return;
    }
    const firstOther = last.content.findIndex((b) => b.type !== "tool_result");
    last.content.splice(firstOther === -1 ? last.content.length : firstOther, 0, block);
  }

  done(): ChatMessage[] {
    if (this.list[0]?.role === "assistant") this.list.unshift({ role: "user", content: [{ type: "text", text: "(The conversation starts here.)" }] });
    return this.list;
  }
}
