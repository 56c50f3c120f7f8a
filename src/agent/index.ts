import type { ActionEvent, StoredEvent } from "../events/schema.ts";
import { isAction } from "../events/schema.ts";
import { agentStateChanged, errorObservation } from "../events/factory.ts";
import type { AgentState } from "../events/schema.ts";
import { CodeActController } from "./controller.ts";
import type { AgentContext, AgentController } from "./types.ts";

export type { AgentContext, AgentController, AgentUsage } from "./types.ts";

/** The agent classes this build has (OpenHands' getAgentClass). */
const AGENT_CLASSES: Record<string, (ctx: AgentContext) => AgentController> = {
  CodeActAgent: (ctx) => new CodeActController(ctx),
};

export const AGENT_CLASS_NAMES = Object.keys(AGENT_CLASSES);

export function getAgentClass(name: string): ((ctx: AgentContext) => AgentController) | undefined {
  return AGENT_CLASSES[name] ?? Object.entries(AGENT_CLASSES).find(([known]) => known.toLowerCase() === name.toLowerCase())?.[1];
}

/** The controller of one conversation's agent; it subscribes to ctx.stream itself. */
export function createAgentController(ctx: AgentContext): AgentController {
  const create = getAgentClass(ctx.agentCls);
  if (create) return create(ctx);
  return new UnavailableAgent(ctx, `unknown agent class "${ctx.agentCls}" (available: ${AGENT_CLASS_NAMES.join(", ")})`);
}

/** Keeps the protocol's answers when no agent can run: messages get an error, state changes are answered. */
class UnavailableAgent implements AgentController {
  private current: AgentState;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: AgentContext,
    private readonly reason: string,
  ) {
    this.current = ctx.initialState;
    this.unsubscribe = ctx.stream.subscribe((event) => this.onEvent(event));
  }

  get state(): AgentState {
    return this.current;
  }

  async setState(state: AgentState, cause: number | null, reason = ""): Promise<void> {
    this.current = state;
    this.ctx.onStateChange(state, { reason });
    await this.ctx.stream.append(agentStateChanged(state, cause, reason));
  }

  async close(): Promise<void> {
    this.unsubscribe();
  }

  private onEvent(event: StoredEvent): void {
    if (!isAction(event)) return;
    if (event.action === "finish") return void this.setState("finished", event.id).catch(() => {});
    if (event.action === "change_agent_state") return this.onStateRequest(event);
    if (event.action === "message" && event.source === "user") {
      void this.ctx.stream
        .append(errorObservation(event.id, `The agent cannot start: ${this.reason}.`, "AGENT_UNAVAILABLE"))
        .then(() => this.setState("error", event.id, this.reason))
        .catch(() => {});
    }
  }

  private onStateRequest(event: ActionEvent): void {
    const wanted = event.args.agent_state;
    if (wanted === "paused" || wanted === "running" || wanted === "stopped") void this.setState(wanted, event.id).catch(() => {});
  }
}
