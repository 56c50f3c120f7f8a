import type { ActionName, AgentState, EventSource, NewActionEvent, NewObservationEvent, ObservationName } from "./schema.ts";

/** Builders for events, so that every caller produces the wire shape of PROTOCOL.md. */

export function action(source: EventSource, name: ActionName, args: Record<string, unknown>, message = "", extra: Partial<NewActionEvent> = {}): NewActionEvent {
  return { source, action: name, args, message: message || defaultActionMessage(name, args), ...extra };
}

export function observation(
  name: ObservationName,
  content: string,
  extras: Record<string, unknown>,
  cause: number | null,
  source: EventSource = "environment",
  message = "",
): NewObservationEvent {
  return { source, observation: name, content, extras, cause, message };
}

export function errorObservation(cause: number | null, text: string, errorId = "ERROR", source: EventSource = "environment"): NewObservationEvent {
  return observation("error", text, { error_id: errorId }, cause, source, text);
}

export function agentStateChanged(state: AgentState, cause: number | null, reason = "", extra: Record<string, unknown> = {}): NewObservationEvent {
  return observation("agent_state_changed", "", { agent_state: state, reason, ...extra }, cause, "environment", `Agent state changed to ${state}${reason ? `: ${reason}` : ""}`);
}

function defaultActionMessage(name: ActionName, args: Record<string, unknown>): string {
  switch (name) {
    case "message":
      return String(args.content ?? "");
    case "run":
      return `Running command: ${String(args.command ?? "")}`;
    case "read":
      return `Reading file: ${String(args.path ?? "")}`;
    case "write":
      return `Writing file: ${String(args.path ?? "")}`;
    case "edit":
      return `Editing file: ${String(args.path ?? "")}`;
    case "browse":
      return `Browsing ${String(args.url ?? "")}`;
    case "think":
      return String(args.thought ?? "");
    case "finish":
      return String(args.message ?? "All done.");
    case "change_agent_state":
      return `Changing agent state to ${String(args.agent_state ?? "")}`;
  }
}
