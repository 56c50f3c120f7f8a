import { z } from "@hono/zod-openapi";
import { parseClientMessage, type ClientMessage } from "../../events/client-message.ts";
import { isObservation, type StoredEvent } from "../../events/schema.ts";
import { log } from "../../log.ts";
import type { AgentSession } from "../agent-session.ts";
import { dispatchClientMessage } from "../dispatch.ts";
import { invalidArgs } from "./errors.ts";

/** One event of an exported trajectory; only user actions matter for a replay, the rest passes through. */
export const trajectoryEventSchema = z
  .looseObject({
    source: z.string(),
    action: z.string().optional(),
    args: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("TrajectoryEvent");

/** Either the `trajectory` array of an export, or the whole export object. */
export const trajectoryInputSchema = z.union([
  z.array(trajectoryEventSchema).max(100_000),
  z.object({ trajectory: z.array(trajectoryEventSchema).max(100_000) }).loose(),
]);
export type TrajectoryInput = z.infer<typeof trajectoryInputSchema>;

/** Agent states in which a user message has been dealt with (the agent stopped working on it). */
const SETTLED_STATES = new Set(["awaiting_user_input", "finished", "error", "stopped", "paused", "rejected", "awaiting_user_confirmation"]);
/** Bound on how long a replay waits for one action's answer before giving up on the rest. */
const MESSAGE_WAIT_MS = 10 * 60_000;
const OTHER_WAIT_MS = 11 * 60_000;

/**
 * The user actions of a trajectory, validated as client messages (the same rules as the WebSocket).
 * Confirmation answers (change_agent_state user_confirmed/rejected and friends) belong to the original run's
 * moments and are not replayed. Throws a 400 naming the first bad event.
 */
export function userActionsOf(input: TrajectoryInput): ClientMessage[] {
  const events = Array.isArray(input) ? input : input.trajectory;
  const messages: ClientMessage[] = [];
  events.forEach((event, index) => {
    if (event.source !== "user" || event.action === undefined || event.action === "change_agent_state") return;
    const parsed = parseClientMessage({ action: event.action, args: event.args ?? {} });
    if (!parsed.ok) throw invalidArgs(`trajectory[${index}]: ${parsed.error.error}`);
    messages.push(parsed.message);
  });
  return messages;
}

/** Whether an event answers a replayed action, so the next one can go (replay keeps the original order). */
function answers(stored: StoredEvent, message: ClientMessage): (event: StoredEvent) => boolean {
  if (message.kind === "action" && message.action === "message")
    return (event) => event.id > stored.id && isObservation(event) && event.observation === "agent_state_changed" && SETTLED_STATES.has(String(event.extras.agent_state));
  return (event) => isObservation(event) && event.cause === stored.id;
}

/**
 * Replays user actions in order through the one dispatch path, each after the previous one was answered.
 * Runs in the background of the create request; a failure stops the replay and is logged.
 */
export async function replayUserActions(session: AgentSession, messages: ClientMessage[]): Promise<void> {
  const id = session.conversationId;
  try {
    if (!session.initialized) await dispatchClientMessage(session, { kind: "initialize", args: {} });
    for (const [index, message] of messages.entries()) {
      const stored = await dispatchClientMessage(session, message);
      if (!stored) continue;
      const waitMs = message.kind === "action" && message.action === "message" ? MESSAGE_WAIT_MS : OTHER_WAIT_MS;
      await waitForAnswer(session, stored, message, waitMs);
      log.debug("replayed", { conversation_id: id, index, action_id: stored.id });
    }
    log.info("trajectory replayed", { conversation_id: id, actions: messages.length });
  } catch (error) {
    log.warn("trajectory replay stopped", { conversation_id: id, error: String(error) });
  }
}

async function waitForAnswer(session: AgentSession, stored: StoredEvent, message: ClientMessage, waitMs: number): Promise<void> {
  const match = answers(stored, message);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new Error(`no answer to event ${stored.id} within ${waitMs / 1000} s`)), waitMs);
  timer.unref();
  const answered = session.stream.waitFor(match, stop.signal);
  answered.catch(() => {});
  try {
    // The answer may already be stored when the action was answered right after its commit.
    if (!session.stream.history(stored.id).some(match)) await answered;
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}
