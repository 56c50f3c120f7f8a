import type { AgentContext, AgentController } from "./types.ts";
import type { AgentState, StoredEvent } from "../events/schema.ts";
import { isAction } from "../events/schema.ts";
import { agentStateChanged, errorObservation } from "../events/factory.ts";

export type { AgentContext, AgentController } from "./types.ts";

/**
 * Stand-in controller until the CodeAct agent lands: it keeps the agent state, answers state changes and
 * finish, and answers a user message with an error when no LLM is configured.
 */
export function createAgentController(ctx: AgentContext): AgentController {
  let state: AgentState = ctx.initialState;
  const setState = async (next: AgentState, cause: number | null, reason = "") => {
    state = next;
    ctx.onStateChange(next, { reason });
    await ctx.stream.append(agentStateChanged(next, cause, reason));
  };
  const onEvent = (event: StoredEvent) => {
    if (!isAction(event)) return;
    if (event.action === "finish") return void setState("finished", event.id);
    if (event.action === "change_agent_state") {
      const wanted = String(event.args.agent_state);
      if (wanted === "paused" || wanted === "running" || wanted === "stopped") void setState(wanted, event.id);
      return;
    }
    if (event.action === "message" && event.source === "user") {
      const reason = ctx.config.LLM_API_KEY ? "the agent is not available in this build" : "LLM_API_KEY is not set: the agent cannot start";
      void ctx.stream.append(errorObservation(event.id, `The agent cannot start: ${reason}.`, "AGENT_UNAVAILABLE")).then(() => setState("error", event.id, reason));
    }
  };
  const unsubscribe = ctx.stream.subscribe(onEvent);
  return {
    get state() {
      return state;
    },
    setState,
    async close() {
      unsubscribe();
    },
  };
}
