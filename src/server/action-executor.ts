import type { Config } from "../config.ts";
import { errorObservation, observation } from "../events/factory.ts";
import type { ActionEvent, EditArgs, NewActionEvent, NewObservationEvent, ReadArgs, RunArgs, StoredEvent, WriteArgs } from "../events/schema.ts";
import { isAction } from "../events/schema.ts";
import type { EventStream } from "../events/stream.ts";
import { log, logs } from "../log.ts";
import { browse, BrowseError } from "../runtime/browse.ts";
import { EditorError, FileEditor } from "../runtime/editor.ts";
import { readWorkspaceFile, writeWorkspaceFile } from "../runtime/files.ts";
import { WorkspacePathError, type WorkspaceRoots } from "../runtime/paths.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { CommandStillRunningError, ShellStartError, ShellStateError } from "../runtime/shell-errors.ts";
import type { ConfirmationGate } from "./confirmation-gate.ts";
import type { Metrics } from "./metrics.ts";

const ALLOWED = { allowed: true } as const;

/**
 * Actions the environment answers after they are stored (the agent controller answers message, finish and
 * change_agent_state; think is answered inline, in the action's own commit).
 */
export const EXECUTED_ACTIONS: ReadonlySet<string> = new Set(["run", "read", "write", "edit", "browse"]);

export type ExecutorDeps = {
  stream: EventStream;
  config: Config;
  runtime: Runtime;
  gate: ConfirmationGate;
  metrics: Metrics;
};

/**
 * Answers every run/read/write/edit/browse/think action of a conversation, whoever stored it, with exactly
 * one observation whose `cause` is the action's id. They run one at a time, in the order they were stored: a
 * read sent after a write sees it, a command sent after another starts when it has answered, and an action
 * held for confirmation holds those after it. Input for a running command (`is_input`) is the exception: it
 * goes to the command at once.
 */
export class ActionExecutor {
  private readonly roots: WorkspaceRoots;
  private readonly editor: FileEditor;
  private lane: Promise<unknown> = Promise.resolve();
  /** Commands (runs that are not input) stored and not answered yet: queued in the lane, or running. */
  private commandsInFlight = 0;
  /** Input waiting for a command to start, woken when a command ends without having run (refused, failed). */
  private readonly commandWaiters = new Set<() => void>();
  private inFlight = 0;
  private executing = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: ExecutorDeps) {
    this.roots = { host: deps.runtime.hostWorkspace, sandbox: deps.runtime.sandboxWorkspace };
    this.editor = new FileEditor(this.roots);
    this.unsubscribe = deps.stream.subscribe((event) => this.onEvent(event));
    deps.stream.answerInline = (action) => this.answerInline(action);
  }

  /** True while any action is being executed or awaits confirmation. */
  get active(): boolean {
    return this.inFlight > 0 || this.deps.runtime.busy;
  }

  /** True while an action is executing (not merely held for confirmation): a shutdown lets it finish. */
  get executingNow(): boolean {
    return this.executing > 0 || this.deps.runtime.busy;
  }

  close(): void {
    this.unsubscribe();
    this.deps.stream.answerInline = () => undefined;
  }

  /** think needs nothing from the sandbox and is never held for confirmation (its risk is none). */
  private answerInline(action: NewActionEvent): NewObservationEvent | undefined {
    if (action.action !== "think") return undefined;
    const answer = observation("think", "", {}, null);
    if (action.tool_call_id) answer.tool_call_id = action.tool_call_id;
    return answer;
  }

  private onEvent(event: StoredEvent): void {
    if (!isAction(event)) return;
    this.deps.metrics.countAction(event.action);
    if (event.action === "think") return this.answered(event, 0);
    if (!EXECUTED_ACTIONS.has(event.action)) return;
    this.inFlight++;
    const started = performance.now();
    const isInput = event.action === "run" && (event.args as RunArgs).is_input === true;
    const isCommand = event.action === "run" && !isInput;
    if (isCommand) this.commandsInFlight++;
    const forCommand = isInput && (this.commandsInFlight > 0 || this.deps.runtime.busy);
    const work = forCommand ? this.inputForCommand(event) : this.inLane(() => this.answer(event));
    void work.finally(() => {
      this.inFlight--;
      if (isCommand) {
        this.commandsInFlight--;
        for (const wake of this.commandWaiters) wake();
        this.commandWaiters.clear();
      }
      this.answered(event, (performance.now() - started) / 1000);
    });
  }

  /**
   * Input for a command (C-c, a line for its stdin) goes to it as soon as it runs, as keys typed into a
   * terminal would: it must not wait in the lane behind the very command it is meant for. A command stored
   * but not started yet (its shell is starting, or it is queued) is waited for; with none left, the input
   * takes its turn in the lane (and is answered that nothing runs).
   */
  private async inputForCommand(event: ActionEvent): Promise<void> {
    while (!this.deps.runtime.busy && this.commandsInFlight > 0) {
      await Promise.race([this.deps.runtime.whenBusy(), new Promise<void>((resolve) => this.commandWaiters.add(resolve))]);
    }
    if (this.deps.runtime.busy) return this.answer(event);
    return this.inLane(() => this.answer(event));
  }

  private answered(event: ActionEvent, seconds: number): void {
    this.deps.metrics.observeLatency(event.action, seconds);
    if (logs("info")) log.info("action", { conversation_id: this.deps.stream.conversationId, id: event.id, action: event.action, source: event.source, ms: Math.round(seconds * 10_000) / 10 });
  }

  private inLane(task: () => Promise<void>): Promise<void> {
    const next = this.lane.then(task, task);
    this.lane = next.catch(() => {});
    return next;
  }

  private async answer(event: ActionEvent): Promise<void> {
    let result: NewObservationEvent;
    try {
      // Without confirmation mode nothing is held: skip the gate's await on the hot path.
      const verdict = this.deps.gate.enabled ? await this.deps.gate.check(event) : ALLOWED;
      if (verdict.allowed) {
        this.executing++;
        try {
          result = await this.execute(event);
        } finally {
          this.executing--;
        }
      } else {
        result = observation("user_rejected", verdict.reason, {}, event.id);
      }
    } catch (error) {
      result = this.toErrorObservation(event, error);
    }
    try {
      await this.deps.stream.append({ ...result, cause: event.id, ...(event.tool_call_id ? { tool_call_id: event.tool_call_id } : {}) });
    } catch (error) {
      log.error("could not store an observation", { conversation_id: this.deps.stream.conversationId, cause: event.id, error: String(error) });
    }
  }

  private async execute(event: ActionEvent): Promise<NewObservationEvent> {
    const args = event.args;
    switch (event.action) {
      case "run": {
        const run = args as RunArgs;
        const result = await this.deps.runtime.run(run);
        return observation("run", result.output, { command: run.command, exit_code: result.exit_code, timed_out: result.timed_out, running: result.running, working_dir: result.working_dir }, event.id);
      }
      case "read": {
        const read = args as ReadArgs;
        return observation("read", await readWorkspaceFile(this.roots, read), { path: read.path }, event.id);
      }
      case "write": {
        const write = args as WriteArgs;
        await writeWorkspaceFile(this.roots, write);
        return observation("write", `Wrote ${Buffer.byteLength(write.content)} bytes to ${write.path}`, { path: write.path }, event.id);
      }
      case "edit": {
        const edit = args as EditArgs;
        const result = await this.editor.execute(edit);
        return observation("edit", result.content, { path: edit.path, command: edit.command, diff: result.diff }, event.id);
      }
      case "browse": {
        const { config } = this.deps;
        const result = await browse(String(args.url), {
          timeoutMs: config.BROWSE_TIMEOUT_S * 1000,
          maxBytes: config.BROWSE_MAX_BYTES,
          outputCapChars: config.OUTPUT_CAP_CHARS,
          hostNetwork: this.deps.runtime.browsesHostNetwork,
        });
        return observation("browse", result.content, { url: result.url, status_code: result.status_code }, event.id);
      }
      default:
        return errorObservation(event.id, `the environment does not execute ${event.action} actions`, "NOT_EXECUTABLE");
    }
  }

  private toErrorObservation(event: ActionEvent, error: unknown): NewObservationEvent {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof WorkspacePathError) return errorObservation(event.id, `${event.action} refused: ${text}`, "PATH_OUTSIDE_WORKSPACE");
    if (error instanceof EditorError) return errorObservation(event.id, text, "EDITOR_ERROR");
    if (error instanceof BrowseError) return errorObservation(event.id, text, "BROWSE_ERROR");
    if (error instanceof CommandStillRunningError) return errorObservation(event.id, text, "COMMAND_STILL_RUNNING");
    if (error instanceof ShellStateError) return errorObservation(event.id, text, "SHELL_STATE");
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === "EACCES" || code === "EISDIR" || code === "ENOTDIR" || code === "ENOENT" || code === "EFBIG") return errorObservation(event.id, `${event.action} failed: ${text}`, code);
    this.deps.metrics.runtimeErrors++;
    log.error("action failed", { conversation_id: this.deps.stream.conversationId, action: event.action, id: event.id, error: text });
    const unavailable = error instanceof ShellStartError;
    this.deps.stream.publishStatus({ type: "error", id: unavailable ? "STATUS$SANDBOX_UNAVAILABLE" : "STATUS$RUNTIME_ERROR", message: `The sandbox failed: ${text}` });
    return errorObservation(event.id, `${event.action} failed in the sandbox: ${text}`, "RUNTIME_ERROR");
  }
}
