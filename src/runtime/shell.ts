import type { RunArgs } from "../events/schema.ts";
import { OutputWindow } from "./output-window.ts";
import type { RunResult } from "./runtime.ts";
import { CommandStillRunningError, NoCommandRunningError, ShellStartError } from "./shell-errors.ts";
import { MarkerScanner, controlKey, encodeCommand, initScript, newNonce } from "./shell-protocol.ts";
import type { OpenTransport, ShellTransport, TransportSink } from "./shell-transport.ts";

export type ShellOptions = {
  openTransport: OpenTransport;
  /** The workspace as the shell sees it: the first working directory. */
  workspace: string;
  defaultTimeoutS: number;
  softTimeoutS: number;
  outputCapChars: number;
  /** How long a new shell may take to answer its first marker. */
  startTimeoutMs?: number;
};

type Command = {
  scanner: MarkerScanner;
  window: OutputWindow;
  done?: { exitCode: number; note?: string };
  timedOut: boolean;
  /** The hard limit in force, seconds. */
  limitS: number;
  lastDataAt: number;
  hardTimer?: ReturnType<typeof setTimeout>;
  /** Wake the `run`s waiting on this command: the one that started it, and input sent to it meanwhile. */
  wakers: Set<() => void>;
};

const INTERRUPT_GRACE_MS = 1000;
const KILL_GRACE_MS = 2000;

/** Reads `done` through a call, since TypeScript keeps a narrowing across awaits. */
function isDone(cmd: Command): boolean {
  return cmd.done !== undefined;
}

/** One conversation's persistent shell. Runs are serialized; nothing here blocks the event loop. */
export class PersistentShell {
  private transport?: ShellTransport;
  private starting?: Promise<void>;
  private generation = 0;
  private cwd: string;
  private current?: Command;
  private idle: OutputWindow;
  private decoder = new TextDecoder();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Who waits for the next command to start running (whenBusy). */
  private readonly busyWaiters = new Set<() => void>();

  constructor(private readonly opts: ShellOptions) {
    this.cwd = opts.workspace;
    this.idle = new OutputWindow(opts.outputCapChars);
  }

  /** True while a command is running: one that went past its soft timeout, or one a `run` awaits. */
  get busy(): boolean {
    return this.current !== undefined && this.current.done === undefined;
  }

  /** Resolves once a command is running (at once if one is), or when the shell is closed. */
  whenBusy(): Promise<void> {
    if (this.busy || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.busyWaiters.add(resolve));
  }

  get workingDir(): string {
    return this.cwd;
  }

  async start(): Promise<void> {
    if (this.closed) throw new ShellStartError("the shell was closed");
    if (this.transport) return;
    this.starting ??= this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  run(args: RunArgs): Promise<RunResult> {
    // Input for the running command (C-c, a line for its stdin) reaches it at once, like keys typed into a
    // terminal: it must not wait behind the very command it is meant for.
    if (args.is_input === true && this.busy) return this.runNow(args);
    const next = this.queue.then(() => this.runNow(args));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeBusyWaiters();
    const transport = this.transport;
    this.transport = undefined;
    this.generation++;
    if (this.current) this.finish(this.current, -1, "[the sandbox was closed]");
    await transport?.close();
  }

  private async runNow(args: RunArgs): Promise<RunResult> {
    const command = args.command;
    const isInput = args.is_input === true;
    const current = this.current;
    if (current && !current.done) {
      if (isInput) this.transport?.write(controlKey(command) ?? `${command}\n`);
      else if (command.trim() !== "") throw new CommandStillRunningError(command);
      if (args.timeout !== undefined) this.armHardTimeout(current, args.timeout);
      return this.waitFor(current);
    }
    if (current?.done && (isInput || command.trim() === "")) return this.waitFor(current);
    this.current = undefined;
    if (isInput) throw new NoCommandRunningError();

    await this.start();
    const transport = this.transport;
    if (!transport) throw new ShellStartError("the shell is not running");
    const nonce = newNonce();
    const cmd: Command = {
      scanner: new MarkerScanner(nonce.token),
      window: this.idle,
      timedOut: false,
      limitS: 0,
      lastDataAt: performance.now(),
      wakers: new Set(),
    };
    this.idle = new OutputWindow(this.opts.outputCapChars);
    this.current = cmd;
    this.armHardTimeout(cmd, args.timeout ?? this.opts.defaultTimeoutS);
    transport.write(encodeCommand(command, nonce));
    // The waiters run after this write, so input they send lands behind the command.
    this.wakeBusyWaiters();
    return this.waitFor(cmd);
  }

  private wakeBusyWaiters(): void {
    for (const wake of this.busyWaiters) wake();
    this.busyWaiters.clear();
  }

  /** Waits until the command ends or prints nothing new for the soft timeout. */
  private waitFor(cmd: Command): Promise<RunResult> {
    const softMs = this.opts.softTimeoutS * 1000;
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = () => {
        if (timer) clearTimeout(timer);
        cmd.wakers.delete(wake);
        const done = cmd.done;
        if (done && this.current === cmd) this.current = undefined;
        const note = cmd.timedOut && done ? `[the command exceeded its ${cmd.limitS} s limit and was killed]` : done?.note;
        const output = cmd.window.take() + (note ? `\n${note}` : "");
        resolve({
          output,
          exit_code: done && !cmd.timedOut ? done.exitCode : -1,
          timed_out: cmd.timedOut,
          running: !done,
          working_dir: this.cwd,
        });
      };
      const wake = () => {
        if (cmd.done) answer();
      };
      if (cmd.done) return answer();
      // Quiet for softMs since the last output (or since this wait began) → answer "still running".
      const waitStart = performance.now();
      const check = () => {
        if (cmd.done) return answer();
        // A command being killed at its hard limit is answered when the kill has settled.
        if (cmd.timedOut) {
          timer = setTimeout(check, 50);
          return;
        }
        const quietSince = Math.max(cmd.lastDataAt, waitStart);
        const left = quietSince + softMs - performance.now();
        if (left <= 0) return answer();
        timer = setTimeout(check, left);
      };
      cmd.wakers.add(wake);
      timer = setTimeout(check, softMs);
    });
  }

  private armHardTimeout(cmd: Command, seconds: number): void {
    if (cmd.hardTimer) clearTimeout(cmd.hardTimer);
    cmd.limitS = seconds;
    cmd.hardTimer = setTimeout(() => void this.hardKill(cmd), seconds * 1000);
  }

  /**
   * Stops a command past its hard limit. A program's whole process group is killed (members that ignore
   * C-c included). A loop of the shell's own builtins gets C-c first, as a user would: it ends the loop and
   * keeps the shell with its exports and functions. When nothing brings the prompt back, a new shell
   * starts in the same directory.
   */
  private async hardKill(cmd: Command): Promise<void> {
    if (cmd.done || this.current !== cmd) return;
    cmd.timedOut = true;
    const transport = this.transport;
    // The marker after C-c or the kill is finished with -1 by onText (cmd.timedOut).
    if (transport && (await transport.shellInForeground().catch(() => false))) {
      transport.write("\x03"); // C-c: the terminal sends SIGINT to the foreground group, the shell
      if (await this.endsWithin(cmd, transport, INTERRUPT_GRACE_MS)) return;
    }
    await transport?.killForeground().catch(() => undefined);
    if (await this.endsWithin(cmd, transport, KILL_GRACE_MS)) return;
    this.finish(cmd, -1);
    if (transport && this.transport === transport) await this.dropTransport();
  }

  /** True once the command has its marker (or the shell ended), false after `ms` without: woken like a `run`. */
  private endsWithin(cmd: Command, transport: ShellTransport | undefined, ms: number): Promise<boolean> {
    if (isDone(cmd)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = () => {
        clearTimeout(timer);
        cmd.wakers.delete(settle);
        resolve(isDone(cmd));
      };
      const timer = setTimeout(settle, ms);
      cmd.wakers.add(settle);
      void transport?.exited.then(settle);
    });
  }

  private async spawn(): Promise<void> {
    const generation = ++this.generation;
    const nonce = newNonce();
    const scanner = new MarkerScanner(nonce.token);
    let ready: (() => void) | undefined;
    const readyPromise = new Promise<void>((r) => (ready = r));
    this.decoder = new TextDecoder();
    let started = false;
    const transport = await this.openTransport({
      onData: (chunk) => {
        if (generation !== this.generation) return;
        const text = this.decoder.decode(chunk, { stream: true });
        if (started) return this.onText(text);
        // Everything before the first marker is the shell's start-up noise and the echo of the init line.
        const { marker, rest } = scanner.feed(text);
        if (!marker) return;
        started = true;
        this.cwd = marker.cwd;
        ready?.();
        if (rest) this.onText(rest);
      },
    });
    if (generation !== this.generation) {
      await transport.close();
      throw new ShellStartError("the shell was closed while starting");
    }
    this.transport = transport;
    void transport.exited.then((status) => this.onExit(transport, status));
    transport.write(initScript(nonce, this.cwd));
    const limitMs = this.opts.startTimeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      readyPromise.then(() => "ready" as const),
      transport.exited.then(() => "exited" as const),
      new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), limitMs))),
    ]);
    clearTimeout(timer);
    if (outcome === "ready") return;
    if (this.transport === transport) this.transport = undefined;
    await transport.close();
    throw new ShellStartError(
      outcome === "exited" ? "the shell exited right after starting" : `the shell did not answer within ${limitMs} ms`,
    );
  }

  private async openTransport(sink: TransportSink): Promise<ShellTransport> {
    try {
      return await this.opts.openTransport(sink);
    } catch (error) {
      if (error instanceof ShellStartError) throw error;
      throw new ShellStartError(`the shell could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private onText(text: string): void {
    const cmd = this.current;
    if (!cmd || cmd.done) return this.idle.push(text);
    cmd.lastDataAt = performance.now();
    const { output, marker, rest } = cmd.scanner.feed(text);
    cmd.window.push(output);
    if (!marker) return;
    this.cwd = marker.cwd;
    this.finish(cmd, cmd.timedOut ? -1 : marker.exitCode);
    if (rest) this.idle.push(rest);
  }

  private finish(cmd: Command, exitCode: number, note?: string): void {
    if (cmd.done) return;
    if (cmd.hardTimer) clearTimeout(cmd.hardTimer);
    cmd.window.push(cmd.scanner.flush());
    cmd.done = { exitCode, note };
    for (const wake of [...cmd.wakers]) wake();
  }

  private onExit(transport: ShellTransport, status: number): void {
    if (this.transport !== transport) return;
    this.transport = undefined;
    this.generation++;
    void transport.close();
    const cmd = this.current;
    if (cmd && !cmd.done) this.finish(cmd, status, `[the shell exited with status ${status}; the next command starts a new one in ${this.cwd}]`);
  }

  private async dropTransport(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    this.generation++;
    await transport?.close();
  }
}
