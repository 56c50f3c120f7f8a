import type { StoredEvent } from "../events/schema.ts";
import { isAction, isObservation } from "../events/schema.ts";
import type { EventLog } from "./event-log.ts";
import { INVALID_TOOL_CALL } from "./history.ts";

/** One agent step as the stuck detector compares them: what was done and what came back. */
export type Step = { action: string; observation: string; failed: boolean };

/** The detector looks at most this far back. */
const WINDOW = 6;

/**
 * The agent's latest steps since the last user message (a new message from the user is a fresh start), each
 * an agent tool action with its answer, or a tool call that was refused as invalid. Scans back from the end,
 * so its cost does not grow with the conversation.
 */
export function stepsSinceLastUserMessage(log: EventLog): Step[] {
  const steps: Step[] = [];
  for (let i = log.events.length - 1; i >= 0 && steps.length < WINDOW; i--) {
    const event = log.events[i] as StoredEvent;
    if (isAction(event) && event.action === "message" && event.source === "user") break;
    const step = stepOf(log, event);
    if (step) steps.unshift(step);
  }
  return steps;
}

function stepOf(log: EventLog, event: StoredEvent): Step | undefined {
  if (isObservation(event)) {
    if (event.extras.error_id !== INVALID_TOOL_CALL) return undefined;
    const action = `${String(event.extras.tool_name)} ${canonical(event.extras.tool_input)}`;
    return { action, observation: `error ${event.content}`, failed: true };
  }
  if (event.source !== "agent" || !event.tool_call_id || event.action === "finish") return undefined;
  const answer = log.answerOf(event.id);
  const action = `${event.action} ${canonical(event.args)}`;
  if (!answer) return { action, observation: "(none)", failed: true };
  const exitCode = answer.extras.exit_code;
  const failed = answer.observation === "error" || (answer.observation === "run" && typeof exitCode === "number" && exitCode !== 0 && answer.extras.running !== true);
  return { action, observation: `${answer.observation} ${String(exitCode ?? "")} ${answer.content}`, failed };
}

/** Why the agent looks stuck, or null. */
export function detectStuck(steps: Step[]): string | null {
  const same = (a: Step | undefined, b: Step | undefined) => !!a && !!b && a.action === b.action && a.observation === b.observation;
  const last = steps.slice(-WINDOW);
  const n = last.length;

  const four = steps.slice(-4);
  if (four.length === 4 && four.every((s) => same(s, four[0]))) return `the same action and observation 4 times in a row (${summary(four[0])})`;

  const three = steps.slice(-3);
  if (three.length === 3 && three.every((s) => s.failed && s.action === three[0]?.action)) return `the same action failed 3 times in a row (${summary(three[0])})`;

  if (n === 6 && !same(last[0], last[1]) && [2, 4].every((i) => same(last[i], last[0])) && [3, 5].every((i) => same(last[i], last[1]))) {
    return `alternating between the same two actions for 6 steps (${summary(last[0])} / ${summary(last[1])})`;
  }
  return null;
}

function summary(step: Step | undefined): string {
  const text = step?.action ?? "";
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** JSON with sorted keys, so that the same arguments compare equal whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
