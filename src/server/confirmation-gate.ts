import type { AgentController } from "../agent/types.ts";
import { errorObservation } from "../events/factory.ts";
import type { ActionEvent, AgentState, StoredEvent } from "../events/schema.ts";
import { isAction } from "../events/schema.ts";
import type { EventStream } from "../events/stream.ts";
import type { AnalyzedAction, AnalyzerContext, SecurityAssessment } from "../security/analyzer.ts";
import { confirmationAnswer, confirmationPrompt, needsConfirmation, rejectionMessage } from "../security/policy.ts";

export type RiskRater = (action: AnalyzedAction, ctx?: AnalyzerContext) => SecurityAssessment;
export type GateVerdict = { allowed: true } | { allowed: false; reason: string };

type Held = { event: ActionEvent; previous: AgentState; settle: (answer: { confirmed: boolean; answerId: number }) => void };

/**
 * Confirmation mode: a high-risk action is stored but held (the agent awaits confirmation) until a client
 * answers change_agent_state user_confirmed (it runs) or user_rejected (a user_rejected observation).
 */
export class ConfirmationGate {
  private readonly held: Held[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly stream: EventStream,
    private readonly rate: RiskRater,
    private readonly controller: () => AgentController,
    public enabled: boolean,
  ) {
    this.unsubscribe = stream.subscribe((event) => this.onEvent(event));
  }

  async check(event: ActionEvent): Promise<GateVerdict> {
    if (!this.enabled) return { allowed: true };
    const verdict = this.rate({ action: event.action, args: event.args });
    if (!needsConfirmation(verdict.risk, true)) return { allowed: true };
    const controller = this.controller();
    const previous = controller.state === "awaiting_user_confirmation" ? (this.held[0]?.previous ?? "running") : controller.state;
    const answer = new Promise<{ confirmed: boolean; answerId: number }>((settle) => this.held.push({ event, previous, settle }));
    await controller.setState("awaiting_user_confirmation", event.id, confirmationPrompt(verdict));
    const { confirmed, answerId } = await answer;
    const resume: AgentState = event.source === "agent" ? "running" : previous;
    if (confirmed) {
      await controller.setState(this.held.length > 0 ? "awaiting_user_confirmation" : resume, answerId, "the user confirmed the action");
      return { allowed: true };
    }
    await controller.setState(this.held.length > 0 ? "awaiting_user_confirmation" : resume, answerId, "the user rejected the action");
    return { allowed: false, reason: rejectionMessage(verdict) };
  }

  /** Rejects everything held (the conversation is closing). */
  close(): void {
    this.unsubscribe();
    for (const held of this.held.splice(0)) held.settle({ confirmed: false, answerId: held.event.id });
  }

  private onEvent(event: StoredEvent): void {
    if (!isAction(event) || event.action !== "change_agent_state") return;
    const answer = confirmationAnswer(event.args.agent_state);
    if (!answer) return;
    const held = this.held.shift();
    if (!held) {
      void this.stream.append(errorObservation(event.id, "No action is awaiting confirmation.", "NOTHING_TO_CONFIRM"));
      return;
    }
    held.settle({ confirmed: answer === "confirmed", answerId: event.id });
  }
}
