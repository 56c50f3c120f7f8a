import { mkdirSync } from "node:fs";
import { createAgentController } from "../agent/index.ts";
import type { AgentController, AgentUsage } from "../agent/types.ts";
import type { Config } from "../config.ts";
import { agentStateChanged } from "../events/factory.ts";
import { isAction, type AgentState, type InitializeArgs } from "../events/schema.ts";
import { analyzerEnabled } from "../security/policy.ts";
import type { EventStore, ConversationRecord } from "../events/store.ts";
import type { EventStream } from "../events/stream.ts";
import { createRuntime } from "../runtime/create.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { ActionExecutor, EXECUTED_ACTIONS } from "./action-executor.ts";
import { ConfirmationGate, type RiskRater } from "./confirmation-gate.ts";
import type { Metrics } from "./metrics.ts";
import { conversationWorkspace } from "./workspace.ts";
import { ConversationError } from "./errors.ts";

export type AgentSessionDeps = {
  config: Config;
  store: EventStore;
  stream: EventStream;
  metrics: Metrics;
  rate: RiskRater;
};

/** States in which the agent is doing work: a conversation in one of them is never closed as idle. */
const WORKING_STATES = new Set<AgentState>(["running", "rate_limited", "awaiting_user_confirmation", "loading"]);

/**
 * A live conversation: its sandbox, the executor that answers actions, the confirmation gate and the agent
 * controller, all listening to the conversation's event stream.
 */
export class AgentSession {
  private runtime!: Runtime;
  private executor!: ActionExecutor;
  private gate!: ConfirmationGate;
  private controller!: AgentController;
  private closed = false;

  private constructor(
    private record: ConversationRecord,
    private readonly deps: AgentSessionDeps,
  ) {}

  static async open(record: ConversationRecord, deps: AgentSessionDeps): Promise<AgentSession> {
    const session = new AgentSession(record, deps);
    await session.build(record.agent_state as AgentState);
    return session;
  }

  get conversationId(): string {
    return this.record.conversation_id;
  }

  get stream(): EventStream {
    return this.deps.stream;
  }

  get initialized(): boolean {
    return this.record.settings.initialized === true;
  }

  get agentState(): AgentState {
    return this.controller.state;
  }

  /** True while the agent or the sandbox is working (not to be closed as idle). */
  get active(): boolean {
    // An action held for confirmation counts as in flight in the executor.
    return WORKING_STATES.has(this.controller.state) || this.executor.active;
  }

  /** True while a command or file action is executing (a shutdown lets it finish within its grace). */
  get busyWithCommand(): boolean {
    return this.executor.executingNow;
  }

  /** (Re)creates the agent for new settings: loading, then awaiting_user_input. */
  async initialize(args: InitializeArgs): Promise<void> {
    const { stream, store } = this.deps;
    await stream.append(agentStateChanged("loading", null));
    const settings = { ...this.record.settings, initialized: true, ...definedOnly({ model: args.model, agent_cls: args.agent_cls, security_analyzer: args.security_analyzer }) };
    let workspace = this.record.workspace;
    try {
      if (args.directory) workspace = conversationWorkspace(this.deps.config.WORKSPACE_BASE, this.conversationId, args.directory);
    } catch (error) {
      await stream.append(agentStateChanged(this.controller.state, null, (error as Error).message));
      throw new ConversationError("invalid_args", (error as Error).message);
    }
    const runtimeChanged = (args.runtime !== undefined && args.runtime !== this.runtime.kind) || workspace !== this.record.workspace;
    const patch: Partial<ConversationRecord> = { settings, agent_state: "loading", workspace };
    if (args.runtime) patch.runtime = args.runtime;
    if (args.confirmation_mode !== undefined) patch.confirmation_mode = args.confirmation_mode;
    store.updateConversation(this.conversationId, patch);
    this.record = { ...this.record, ...patch };
    await this.teardown({ keepRuntime: !runtimeChanged });
    await this.build("awaiting_user_input");
    await stream.append(agentStateChanged("awaiting_user_input", null, "initialized"));
  }

  /** Confirmation holds actions only while the analyzer is on (initialize.security_analyzer). */
  private confirmationEnabled(): boolean {
    return this.record.confirmation_mode && analyzerEnabled(this.record.settings.security_analyzer as string | boolean | undefined);
  }

  /** A title the user gave: stored, and no first message replaces it. */
  rename(title: string): void {
    this.record.title = title;
    this.deps.store.updateConversation(this.conversationId, { title });
  }

  /** An untitled conversation takes its title from the first user message, as OpenHands does. */
  titleFromMessage(text: string): void {
    if (this.record.title !== "") return;
    const oneLine = text.replace(/\s+/g, " ").trim();
    const title = oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
    if (title) this.rename(title);
  }

  setConfirmationMode(enabled: boolean): void {
    this.record.confirmation_mode = enabled;
    this.gate.enabled = this.confirmationEnabled();
    this.deps.store.updateConversation(this.conversationId, { confirmation_mode: enabled });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.teardown({ keepRuntime: false });
  }

  private async build(initialState: AgentState): Promise<void> {
    const { config, stream, store, metrics, rate } = this.deps;
    const record = this.record;
    if (!this.runtime) {
      mkdirSync(record.workspace, { recursive: true });
      const requested = (record.runtime === "docker" || record.runtime === "local" ? record.runtime : config.RUNTIME) as "docker" | "local" | "auto";
      this.runtime = await createRuntime(requested, {
        config,
        conversationId: record.conversation_id,
        hostWorkspace: record.workspace,
        defaultTimeoutS: config.COMMAND_TIMEOUT_S,
        softTimeoutS: config.SOFT_TIMEOUT_S,
        outputCapChars: config.OUTPUT_CAP_CHARS,
      });
      if (record.runtime !== this.runtime.kind) {
        store.updateConversation(record.conversation_id, { runtime: this.runtime.kind });
        this.record.runtime = this.runtime.kind;
      }
    }
    this.controller = createAgentController({
      conversationId: record.conversation_id,
      stream,
      config,
      model: typeof record.settings.model === "string" ? record.settings.model : config.LLM_MODEL,
      agentCls: typeof record.settings.agent_cls === "string" ? record.settings.agent_cls : "CodeActAgent",
      workspace: { host: this.runtime.hostWorkspace, sandbox: this.runtime.sandboxWorkspace },
      initialState,
      initialUsage: record.settings.usage as AgentUsage | undefined,
      onStateChange: (state) => {
        this.record.agent_state = state;
        store.updateConversation(record.conversation_id, { agent_state: state });
      },
      notify: (status) => stream.publishStatus(status),
      recordUsage: (usage) => {
        const before = (this.record.settings.usage ?? {}) as Partial<AgentUsage>;
        metrics.addLlmUsage({
          input_tokens: usage.input_tokens - (before.input_tokens ?? 0),
          output_tokens: usage.output_tokens - (before.output_tokens ?? 0),
          cache_read_tokens: (usage.cache_read_tokens ?? 0) - (before.cache_read_tokens ?? 0),
          cost_usd: usage.cost_usd - (before.cost_usd ?? 0),
        });
        this.record.settings = { ...this.record.settings, usage };
        store.updateConversation(record.conversation_id, { settings: this.record.settings });
      },
    });
    const workspace = this.runtime.sandboxWorkspace;
    // Every action the environment executes is rated as it is stored, so clients see its risk.
    stream.annotate = (event) => (isAction(event) && EXECUTED_ACTIONS.has(event.action) ? { ...event, security_risk: rate(event, { workspace }).level } : event);
    this.gate = new ConfirmationGate(stream, (action) => rate(action, { workspace }), () => this.controller, this.confirmationEnabled());
    this.executor = new ActionExecutor({ stream, config, runtime: this.runtime, gate: this.gate, metrics });
  }

  private async teardown(options: { keepRuntime: boolean }): Promise<void> {
    this.gate?.close();
    this.executor?.close();
    await this.controller?.close();
    if (options.keepRuntime) return;
    await this.runtime?.close();
    this.runtime = undefined as unknown as Runtime;
  }
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
