import { isAction } from "../events/schema.ts";
import type { EventLog } from "./event-log.ts";
import { INVALID_TOOL_CALL } from "./history.ts";

/**
 * Whether the model owes a reply: the conversation's last exchange ends with something the model has not
 * answered (a user message, or the result of one of its tool calls) rather than with its own text or finish.
 * Used when a client asks to resume an idle agent.
 */
export function needsReply(log: EventLog): boolean {
  for (let i = log.events.length - 1; i >= 0; i--) {
    const event = log.events[i];
    if (!event) continue;
    if (isAction(event)) {
      if (event.action === "message") return event.source === "user";
      if (event.source === "agent" && event.action === "finish") return false;
      if (event.source === "agent" && event.tool_call_id) return true;
      continue;
    }
    if (event.extras.error_id === INVALID_TOOL_CALL) return true;
  }
  return false;
}
