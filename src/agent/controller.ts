import type { ToolUseBlock } from "@anthropic-ai/sdk/resources/messages";
import type { ActionEvent, ActionName, AgentState, StoredEvent } from "../events/schema.ts";
import { isAction } from "../events/schema.ts";
import { action, agentStateChanged, errorObservation } from "../events/factory.ts";
import { CodeActAgent, type ToolCallContext } from "./codeact.ts";
import { EventLog } from "./event-log.ts";
import { INVALID_TOOL_CALL } from "./history.ts";
import { log } from "../log.ts";
import { isAbort, Llm, type RetryNotice } from "./llm.ts";
import { TaskLimits } from "./limits.ts";
import { addUsage, emptyUsage } from "./pricing.ts";
import { needsReply } from "./resume.ts";
import { detectStuck, stepsSinceLastUserMessage } from "./stuck.ts";
import type { AgentContext, AgentController, AgentUsage } from "./types.ts";

/** States in which the loop was working when the server stopped, so it goes on after a restart. */
const RESUMABLE: AgentState[] = ["running", "rate_limited", "awaiting_user_confirmation"];

/**
 * The agent loop of one conversation and its states (PROTOCOL.md): it answers user messages, finish and
 * change_agent_state actions, and drives CodeActAgent step by step, acting only through the event stream.
 */
export class CodeActController implements AgentController {
  private currentState: AgentState;
  private usage: AgentUsage;
  private readonly log = new EventLog();
  private readonly agent: CodeActAgent;
  private readonly unsubscribe: () => void;

  private loop: Promise<void> | null = null;
  /** Aborts the LLM request or the wait for an observation in flight. */
  private inFlight: AbortController | null = null;
  private halted = false;
  private closed = false;
  private pauseRequested = false;
  /** A start asked for while a halted loop was still winding down (a message right after stop). */
  private pendingStart: number | null = null;
  private resumeWaiters: Array<() => void> = [];

  private readonly limits: TaskLimits;

  private latestUserMessageId = -1;
  private logLoaded = false;
  /** The newest user message the model has been sent. */
  private userMessageIdSentToModel = -1;

  constructor(private readonly ctx: AgentContext) {
    this.currentState = ctx.initialState;
    this.pauseRequested = ctx.initialState === "paused";
    this.usage = { ...emptyUsage(), ...ctx.initialUsage };
    this.limits = new TaskLimits(ctx.config, this.usage.cost_usd);
    this.agent = new CodeActAgent(new Llm(ctx.model, ctx.config), ctx.workspace, ctx.config.LLM_CONTEXT_TOKENS);
    // The history is read only when the agent first needs it (see fullLog): opening a conversation, to
    // replay it to a client or run a command, costs nothing per stored event. User messages stored before
    // this controller started count as sent.
    this.unsubscribe = ctx.stream.subscribe((event) => this.onEvent(event));
    if (!RESUMABLE.includes(this.currentState)) return;
    void this.fullLog;
    if (this.llmConfigured()) this.startLoop(null, "resumed after a restart");
    else void this.setState("error", null, "LLM_API_KEY is not set: the agent cannot go on").catch(logFailure);
  }

  get state(): AgentState {
    return this.currentState;
  }

  async setState(state: AgentState, cause: number | null, reason = "", extra: Record<string, unknown> = {}): Promise<void> {
    this.currentState = state;
    const usage = { ...this.usage };
    this.ctx.onStateChange(state, { reason, usage });
    await this.ctx.stream.append(agentStateChanged(state, cause, reason, { usage, ...extra }));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.halt();
    this.unsubscribe();
    await this.loop?.catch(() => {});
  }

  // ---- events ----

  /** The log with the whole stored history, loaded on first use; live events are added as they come. */
  private get fullLog(): EventLog {
    if (!this.logLoaded) {
      this.logLoaded = true;
      for (const event of this.ctx.stream.history()) this.log.add(event);
    }
    return this.log;
  }

  private remember(event: StoredEvent): boolean {
    if (this.logLoaded && !this.log.add(event)) return false;
    if (isAction(event) && event.action === "message" && event.source === "user") this.latestUserMessageId = event.id;
    return true;
  }

  private onEvent(event: StoredEvent): void {
    if (!this.remember(event) || !isAction(event) || this.closed) return;
    if (event.action === "message" && event.source === "user") this.onUserMessage(event);
    else if (event.action === "finish") void this.onFinish(event);
    else if (event.action === "change_agent_state") this.onStateRequest(event);
  }

  private onUserMessage(event: ActionEvent): void {
    if (!this.llmConfigured()) {
      const reason = "LLM_API_KEY is not set: the agent cannot start";
      void this.ctx.stream
        .append(errorObservation(event.id, "The agent cannot start: LLM_API_KEY is not set. Start the server with LLM_API_KEY (and LLM_MODEL or LLM_BASE_URL if needed); commands, files and browse work without it.", "LLM_NOT_CONFIGURED"))
        .then(() => this.setState("error", event.id, reason))
        .catch(logFailure);
      return;
    }
    this.limits.raise(this.usage.cost_usd);
    // A running loop sends the message with its next request; a paused one when it is resumed.
    if (this.pauseRequested || (this.loop && !this.halted)) return;
    this.startLoop(event.id);
  }

  private async onFinish(event: ActionEvent): Promise<void> {
    // A client's finish ends a run in progress; the agent's own finish is awaited by its loop.
    if (event.source !== "agent") this.halt();
    await this.setState("finished", event.id, String(event.args.message ?? "")).catch(logFailure);
  }

  private onStateRequest(event: ActionEvent): void {
    const wanted = event.args.agent_state;
    if (wanted === "paused") {
      this.pauseRequested = true;
      void this.setState("paused", event.id).catch(logFailure);
    } else if (wanted === "stopped") {
      this.halt();
      void this.setState("stopped", event.id).catch(logFailure);
    } else if (wanted === "running") {
      void this.resume(event.id).catch(logFailure);
    }
    // user_confirmed / user_rejected belong to the session's confirmation gate.
  }

  private async resume(cause: number): Promise<void> {
    const wasPaused = this.pauseRequested;
    this.pauseRequested = false;
    if (this.loop && !this.halted) {
      for (const wake of this.resumeWaiters.splice(0)) wake();
      return this.setState("running", cause);
    }
    if (!this.llmConfigured()) return this.setState("error", cause, "LLM_API_KEY is not set: the agent cannot start");
    if (!needsReply(this.fullLog)) return this.setState(wasPaused || this.currentState === "paused" ? "awaiting_user_input" : this.currentState, cause, "nothing to resume: send a message");
    this.limits.raise(this.usage.cost_usd);
    this.startLoop(cause);
  }

  // ---- the loop ----

  private startLoop(cause: number | null, reason = ""): void {
    if (this.closed) return;
    if (this.loop) {
      // The previous loop was halted and has not returned yet: start again as soon as it has.
      if (this.halted) this.pendingStart = cause;
      return;
    }
    this.halted = false;
    void this.fullLog;
    this.loop = this.run(cause, reason)
      .catch(async (error) => {
        if (this.halted || isAbort(error)) return;
        await this.setState("error", null, `internal error: ${error instanceof Error ? error.message : String(error)}`).catch(logFailure);
      })
      .finally(() => {
        this.loop = null;
        if (this.pendingStart !== null) {
          const pending = this.pendingStart;
          this.pendingStart = null;
          return this.startLoop(pending);
        }
        // A message that came while the loop was ending its turn must not wait for another one.
        const ended = this.currentState === "awaiting_user_input" || this.currentState === "finished";
        if (!this.halted && ended && this.latestUserMessageId > this.userMessageIdSentToModel) this.startLoop(null);
      });
  }

  private async run(cause: number | null, reason: string): Promise<void> {
    await this.setState("running", cause, reason);
    while (!this.halted) {
      if (!(await this.waitWhilePaused())) return;
      const limit = this.limits.reached(this.usage.cost_usd);
      if (limit) return this.setState("error", null, limit);

      this.userMessageIdSentToModel = this.latestUserMessageId;
      const reply = await this.withAbort((signal) => this.agent.step(this.log, { signal, onRetry: (notice) => this.onRetry(notice) })).catch((error) => {
        if (this.halted || isAbort(error)) return null;
        throw error;
      });
      if (!reply) return;
      this.limits.countStep();
      this.usage = addUsage(this.usage, this.ctx.model, reply.usage);
      this.ctx.recordUsage({ ...this.usage });
      if (this.currentState === "rate_limited" && !this.pauseRequested) await this.setState("running", null);
      // A pause asked for during the request takes effect before anything of the reply happens.
      if (!(await this.waitWhilePaused())) return;

      if (reply.text) await this.ctx.stream.append(action("agent", "message", { content: reply.text }));
      if (reply.toolCalls.length === 0) {
        if (this.latestUserMessageId > this.userMessageIdSentToModel) continue;
        if (this.halted) return;
        return this.setState("awaiting_user_input", null);
      }
      const done = await this.runToolCalls(reply.toolCalls);
      if (done) return;
    }
  }

  /** Runs a reply's tool calls in order; true when the run is over (finished, rejected, stuck, halted). */
  private async runToolCalls(calls: ToolUseBlock[]): Promise<boolean> {
    for (const call of calls) {
      if (this.halted || !(await this.waitWhilePaused())) return true;
      const outcome = await this.withAbort((signal) => this.agent.runToolCall(call, this.toolContext(call, signal))).catch((error) => {
        if (this.halted || isAbort(error)) return null;
        throw error;
      });
      if (!outcome || this.halted) return true;
      if (outcome.kind === "answered") {
        const { answer } = outcome;
        if (answer.observation === "agent_state_changed" && answer.extras.agent_state === "finished") return true;
        if (answer.observation === "user_rejected") {
          await this.setState("rejected", answer.cause, "the user rejected the action; send a message to go on");
          return true;
        }
      }
      const stuck = detectStuck(stepsSinceLastUserMessage(this.log));
      if (stuck) {
        await this.setState("error", null, "stuck", { detail: `The agent looks stuck: ${stuck}. Send a message to change its course.` });
        return true;
      }
    }
    return false;
  }

  private toolContext(call: ToolUseBlock, signal: AbortSignal): ToolCallContext {
    return {
      signal,
      act: async (name: ActionName, args: Record<string, unknown>) => {
        const stored = await this.ctx.stream.append(action("agent", name, args, "", { tool_call_id: call.id }));
        return this.log.waitForAnswer(stored.id, signal);
      },
      refuse: async (refused: ToolUseBlock, error: string) => {
        const event = errorObservation(null, error, INVALID_TOOL_CALL, "agent");
        event.tool_call_id = refused.id;
        event.extras = { ...event.extras, tool_name: refused.name, tool_input: refused.input };
        await this.ctx.stream.append(event);
      },
    };
  }

  private async withAbort<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      return await work(controller.signal);
    } finally {
      if (this.inFlight === controller) this.inFlight = null;
    }
  }

  private async onRetry(notice: RetryNotice): Promise<void> {
    if (this.halted || this.pauseRequested) return;
    const seconds = (notice.delayMs / 1000).toFixed(1);
    this.ctx.notify?.({ type: "info", id: "STATUS$LLM_RETRY", message: `The LLM is unavailable (${notice.reason}); retry ${notice.attempt} of ${notice.maxRetries} in ${seconds}s.` });
    await this.setState("rate_limited", null, `LLM unavailable (${notice.reason}); retry ${notice.attempt} of ${notice.maxRetries} in ${seconds}s`);
  }

  /** Parks the loop while paused; false when it was stopped meanwhile. */
  private async waitWhilePaused(): Promise<boolean> {
    while (this.pauseRequested && !this.halted) {
      if (this.currentState !== "paused") await this.setState("paused", null);
      await new Promise<void>((wake) => this.resumeWaiters.push(wake));
    }
    return !this.halted;
  }

  private halt(): void {
    this.halted = true;
    this.pauseRequested = false;
    this.inFlight?.abort();
    for (const wake of this.resumeWaiters.splice(0)) wake();
  }

  private llmConfigured(): boolean {
    return !!this.ctx.config.LLM_API_KEY;
  }
}

function logFailure(error: unknown): void {
  log.error("agent controller failed to store an event", { error: error instanceof Error ? error.message : String(error) });
}
