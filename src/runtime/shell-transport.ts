/**
 * A byte stream to an interactive bash on a terminal: a local pseudo-terminal, or a Docker exec with
 * a TTY kept attached. The shell logic (markers, timeouts, input) is the same over both.
 */
export interface ShellTransport {
  write(data: string): void;
  /** Kills the terminal's foreground process group: the running command's, or the shell's own. */
  killForeground(): Promise<void>;
  /** True when the foreground process group is the shell's own: it runs its own builtins (a `while :` loop). */
  shellInForeground(): Promise<boolean>;
  /** Resolves with the shell's exit status when it has ended. */
  readonly exited: Promise<number>;
  /** Ends the shell and every process it started; idempotent. */
  close(): Promise<void>;
}

export type TransportSink = { onData(chunk: Uint8Array): void };
export type OpenTransport = (sink: TransportSink) => Promise<ShellTransport>;
