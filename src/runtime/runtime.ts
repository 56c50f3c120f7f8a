import type { RunArgs } from "../events/schema.ts";

/** What a `run` action produces; becomes the `run` observation's content and extras. */
export type RunResult = {
  output: string;
  exit_code: number;
  timed_out: boolean;
  running: boolean;
  working_dir: string;
};

export type RuntimeKind = "docker" | "local";

/**
 * A conversation's sandbox. Files are read and written by the server through the host path of the
 * workspace (bind-mounted in Docker), so a runtime only has to run commands.
 */
export interface Runtime {
  readonly kind: RuntimeKind;
  /** The workspace's path on the host. */
  readonly hostWorkspace: string;
  /** The workspace's path as commands in the sandbox see it (/workspace in Docker and bubblewrap). */
  readonly sandboxWorkspace: string;
  /**
   * Whether `browse`, which runs in the server's process and so on the host's network, may fetch the host's
   * loopback and private-network addresses for this conversation (runtime/browse.ts).
   */
  readonly browsesHostNetwork: boolean;
  /** Starts the sandbox (shell, container); idempotent. */
  start(): Promise<void>;
  /** Runs a command (or feeds input) in the conversation's persistent shell. Never throws for a command's failure. */
  run(args: RunArgs): Promise<RunResult>;
  /** True while a command is still running past its soft timeout. */
  readonly busy: boolean;
  /** Resolves once a command is running in the sandbox's shell (at once if one is), or when it is closed. */
  whenBusy(): Promise<void>;
  /** Stops everything the sandbox started; idempotent. */
  close(): Promise<void>;
}

/** Where every sandbox (bubblewrap, Docker) mounts the conversation's workspace. */
export const SANDBOX_WORKSPACE = "/workspace";

export type RuntimeOptions = {
  conversationId: string;
  hostWorkspace: string;
  /** Hard limit default, seconds. */
  defaultTimeoutS: number;
  softTimeoutS: number;
  outputCapChars: number;
};

/** Keeps the head and the tail of long output, with a marker saying how much was cut. */
export function truncateMiddle(text: string, cap: number): string {
  if (text.length <= cap) return text;
  const keep = Math.max(0, cap - 100);
  const head = Math.ceil(keep / 2);
  const tail = Math.floor(keep / 2);
  const cut = text.length - head - tail;
  return `${text.slice(0, head)}\n[... ${cut} characters truncated ...]\n${text.slice(text.length - tail)}`;
}
