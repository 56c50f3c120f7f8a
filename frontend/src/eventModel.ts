import { isAction, toAgentState, type ActionEvent, type AgentState, type ObservationEvent, type StoredEvent } from "./wire.ts";

// Folds the flat event stream into what the timeline shows: chat messages, actions paired with the
// observation that answers them (matched by `cause`), and the few observations that stand alone.

/** Every event once, in id order. */
export type EventLog = { readonly byId: ReadonlyMap<number, StoredEvent>; readonly list: readonly StoredEvent[]; readonly maxId: number };

export const emptyLog: EventLog = { byId: new Map(), list: [], maxId: -1 };

/** Adds events, dropping any id already there; returns the same log when nothing was new. */
export function appendEvents(log: EventLog, incoming: readonly StoredEvent[]): EventLog {
  const fresh: StoredEvent[] = [];
  const seen = new Set<number>();
  for (const event of incoming) {
    if (log.byId.has(event.id) || seen.has(event.id)) continue;
    seen.add(event.id);
    fresh.push(event);
  }
  if (fresh.length === 0) return log;
  const byId = new Map(log.byId);
  let maxId = log.maxId;
  let inOrder = true;
  for (const event of fresh) {
    byId.set(event.id, event);
    if (event.id < maxId) inOrder = false;
    maxId = Math.max(maxId, event.id);
  }
  // Replay and live events come in id order; sort only when they did not.
  const list = inOrder ? [...log.list, ...fresh] : [...byId.values()].sort((a, b) => a.id - b.id);
  return { byId, list, maxId };
}

export type TimelineItem =
  | { kind: "message"; id: number; role: "user" | "agent"; content: string; timestamp: string }
  | { kind: "action"; id: number; action: ActionEvent; observation: ObservationEvent | null; stateChange: ObservationEvent | null }
  | { kind: "state"; id: number; state: AgentState; reason: string; timestamp: string }
  | { kind: "error"; id: number; content: string; timestamp: string };

/** States worth a line in the timeline; the rest only move the badge. */
const NOTABLE_STATES: ReadonlySet<AgentState> = new Set(["paused", "stopped", "finished", "error", "rejected", "rate_limited"]);

/**
 * A state change that belongs inside its action's card: the answer to a pause/resume/stop/confirm
 * request, the hold of an action awaiting confirmation, the end of a finish. Any other (a rejection
 * that waits for the user, an error) gets its own line.
 */
function ownsStateChange(action: ActionEvent, change: ObservationEvent): boolean {
  const state = change.extras.agent_state;
  if (action.action === "change_agent_state") return state !== "rejected" && state !== "error";
  if (action.action === "finish") return state === "finished";
  return state === "awaiting_user_confirmation";
}

export function foldEvents(events: readonly StoredEvent[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const actionItems = new Map<number, Extract<TimelineItem, { kind: "action" }>>();
  for (const event of events) {
    if (isAction(event)) {
      if (event.action === "message") {
        const role = event.source === "user" ? "user" : "agent";
        items.push({ kind: "message", id: event.id, role, content: String(event.args.content ?? ""), timestamp: event.timestamp });
        continue;
      }
      const item = { kind: "action" as const, id: event.id, action: event, observation: null, stateChange: null };
      actionItems.set(event.id, item);
      items.push(item);
      continue;
    }
    const answered = event.cause == null ? undefined : actionItems.get(event.cause);
    if (answered && event.observation === "agent_state_changed" && !answered.stateChange && ownsStateChange(answered.action, event)) {
      answered.stateChange = event;
      continue;
    }
    if (answered && !answered.observation && event.observation !== "agent_state_changed") {
      answered.observation = event;
      continue;
    }
    if (event.observation === "error") {
      items.push({ kind: "error", id: event.id, content: event.content || event.message, timestamp: event.timestamp });
      continue;
    }
    if (event.observation === "agent_state_changed") {
      const state = toAgentState(event.extras.agent_state);
      if (!state || !NOTABLE_STATES.has(state)) continue;
      items.push({ kind: "state", id: event.id, state, reason: typeof event.extras.reason === "string" ? event.extras.reason : "", timestamp: event.timestamp });
    }
  }
  return items;
}

/**
 * `next` with each item that did not change replaced by the previous render's object for it (same id,
 * every field the same: the events keep their identity across appends), so that a memoized entry renders
 * only what is new. A long conversation then re-renders one card per event, not all of them.
 */
export function reuseUnchanged(previous: readonly TimelineItem[], next: TimelineItem[]): TimelineItem[] {
  if (previous.length === 0) return next;
  const before = new Map(previous.map((item) => [item.id, item]));
  return next.map((item) => {
    const old = before.get(item.id);
    return old && sameFields(old, item) ? old : item;
  });
}

function sameFields(a: TimelineItem, b: TimelineItem): boolean {
  const keys = Object.keys(a) as Array<keyof TimelineItem>;
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The agent's state after the last agent_state_changed, or the fallback (from the conversation record). */
export function latestAgentState(events: readonly StoredEvent[], fallback: AgentState | null): AgentState | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (!isAction(event) && event.observation === "agent_state_changed") {
      const state = toAgentState(event.extras.agent_state);
      if (state) return state;
    }
  }
  return fallback;
}

/**
 * The action held for confirmation: the server announces it with agent_state_changed →
 * awaiting_user_confirmation whose `cause` is the held action.
 */
export function pendingConfirmation(log: EventLog): ActionEvent | null {
  for (let i = log.list.length - 1; i >= 0; i--) {
    const event = log.list[i]!;
    if (isAction(event) || event.observation !== "agent_state_changed") continue;
    if (event.extras.agent_state !== "awaiting_user_confirmation" || event.cause == null) return null;
    const held = log.byId.get(event.cause);
    return held && isAction(held) ? held : null;
  }
  return null;
}

/**
 * True while a command of the conversation's shell may still be running: its newest `run` has no answer yet,
 * or was answered with `running: true` (past its soft timeout). Input and C-c then go to that command.
 */
export function commandRunning(log: EventLog): boolean {
  for (let i = log.list.length - 1; i >= 0; i--) {
    const event = log.list[i]!;
    if (isAction(event)) {
      if (event.action === "run") return true;
      continue;
    }
    const answered = event.cause == null ? undefined : log.byId.get(event.cause);
    if (!answered || !isAction(answered) || answered.action !== "run") continue;
    return event.observation === "run" && event.extras.running === true;
  }
  return false;
}

/** True when an event may have changed the workspace, so the file tree should refresh. */
export function touchesWorkspace(event: StoredEvent): boolean {
  return !isAction(event) && (event.observation === "run" || event.observation === "write" || event.observation === "edit");
}

/** One line saying what an action does, for headers and the confirmation prompt. */
export function actionTitle(action: ActionEvent): string {
  const args = action.args;
  const text = (key: string) => String(args[key] ?? "");
  switch (action.action) {
    case "run":
      return args.is_input ? `Input to the running command: ${text("command")}` : `Run: ${text("command")}`;
    case "read":
      return `Read ${text("path")}`;
    case "write":
      return `Write ${text("path")}`;
    case "edit":
      return text("command") === "view" ? `View ${text("path")}` : `Edit ${text("path")} (${text("command")})`;
    case "browse":
      return `Browse ${text("url")}`;
    case "think":
      return "Thought";
    case "finish":
      return "Finished the task";
    case "change_agent_state":
      return STATE_REQUESTS[text("agent_state")] ?? `Asked for agent state ${text("agent_state")}`;
    case "message":
      return text("content");
  }
}

const STATE_REQUESTS: Record<string, string> = {
  paused: "Paused the agent",
  running: "Resumed the agent",
  stopped: "Stopped the agent",
  user_confirmed: "Confirmed the action",
  user_rejected: "Rejected the action",
};
