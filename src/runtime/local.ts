import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import type { Config } from "../config.ts";
import type { RunArgs } from "../events/schema.ts";
import { type Isolation, bwrapArgs } from "./bwrap.ts";
import { prlimitArgs } from "./limits.ts";
import { openPtyTransport } from "./pty-transport.ts";
import { SANDBOX_WORKSPACE, type RunResult, type Runtime, type RuntimeOptions } from "./runtime.ts";
import { PersistentShell } from "./shell.ts";
import { ShellStartError } from "./shell-errors.ts";
import { SHELL_ARGV, shellEnvironment } from "./shell-protocol.ts";

export type LocalRuntimeOptions = RuntimeOptions & { config: Config; isolation: Isolation };

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Commands on this machine in a persistent bash: inside bubblewrap (read-only root, the workspace
 * writable at /workspace, own pid namespace) or, without it, as plain processes in the workspace.
 */
export class LocalRuntime implements Runtime {
  readonly kind = "local" as const;
  /** A local sandbox is this machine: its users browse their own dev servers on localhost. */
  readonly browsesHostNetwork = true;
  readonly hostWorkspace: string;
  readonly sandboxWorkspace: string;
  private readonly shell: PersistentShell;

  constructor(opts: LocalRuntimeOptions) {
    const { config } = opts;
    this.hostWorkspace = opts.hostWorkspace;
    const sandboxed = opts.isolation === "bwrap";
    this.sandboxWorkspace = sandboxed ? SANDBOX_WORKSPACE : opts.hostWorkspace;
    const path = process.env.PATH || DEFAULT_PATH;
    // In bubblewrap the root is read-only: HOME goes to the private /tmp so tools can write their dotfiles.
    const env = shellEnvironment(sandboxed ? "/tmp" : (process.env.HOME ?? homedir()), path);
    this.shell = new PersistentShell({
      workspace: this.sandboxWorkspace,
      defaultTimeoutS: opts.defaultTimeoutS,
      softTimeoutS: opts.softTimeoutS,
      outputCapChars: opts.outputCapChars,
      openTransport: async (sink) => {
        await mkdir(this.hostWorkspace, { recursive: true });
        const wrapper = sandboxed
          ? bwrapArgs({
              hostWorkspace: this.hostWorkspace,
              hidden: [config.WORKSPACE_BASE, config.STATE_DIR],
              network: config.SANDBOX_NETWORK !== "none",
            })
          : [];
        const argv = [...prlimitArgs(config), ...wrapper, ...SHELL_ARGV];
        // The shell turns terminal echo off with stty: without it no command would ever answer.
        if (!Bun.which("stty", { PATH: path })) return Promise.reject(new ShellStartError("the local sandbox needs stty (coreutils) on PATH"));
        return openPtyTransport({ argv, cwd: this.hostWorkspace, env }, sink);
      },
    });
  }

  get busy(): boolean {
    return this.shell.busy;
  }

  whenBusy(): Promise<void> {
    return this.shell.whenBusy();
  }

  start(): Promise<void> {
    return this.shell.start();
  }

  run(args: RunArgs): Promise<RunResult> {
    return this.shell.run(args);
  }

  close(): Promise<void> {
    return this.shell.close();
  }
}
