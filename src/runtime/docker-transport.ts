import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import type { ShellTransport, TransportSink } from "./shell-transport.ts";
import { SHELL_ARGV, TERMINAL_COLS, TERMINAL_ROWS, shellEnvironment } from "./shell-protocol.ts";

const CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The environment of every container shell (pooled or not: a pooled shell must match). */
export function containerShellEnv(): Record<string, string> {
  return shellEnvironment("/root", CONTAINER_PATH);
}

/** Most a pre-started shell may print before it is claimed (its start-up noise is a few bytes). */
const SWITCH_BUFFER_BYTES = 64 * 1024;

/**
 * A sink that holds data until a target is attached, so a shell can be started before anyone
 * listens (the container pool) and handed over without losing a byte.
 */
export class SinkSwitch implements TransportSink {
  private target?: TransportSink;
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private markStarted?: () => void;
  /** Resolves at the first byte: the shell's process really runs (an exec's start returns before). */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  onData(chunk: Uint8Array): void {
    this.markStarted?.();
    if (this.target) return this.target.onData(chunk);
    if (this.bufferedBytes + chunk.length > SWITCH_BUFFER_BYTES) return;
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
  }

  attach(target: TransportSink): void {
    this.target = target;
    for (const chunk of this.buffered.splice(0)) target.onData(chunk);
    this.bufferedBytes = 0;
  }
}

/**
 * The container's persistent bash: ONE exec with a TTY whose hijacked stdin/stdout stay attached for
 * the life of the shell, so a command costs a write and a read on an open socket instead of an exec
 * (~90 ms each through dockerode).
 */
export async function openDockerTransport(
  container: Docker.Container,
  env: Record<string, string>,
  workdir: string,
  sink: TransportSink,
): Promise<ShellTransport> {
  const exec = await container.exec({
    Cmd: SHELL_ARGV,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: workdir,
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  // With a TTY the stream is raw (no stdout/stderr multiplexing).
  stream.on("data", (chunk: Buffer) => sink.onData(chunk));
  const ended = new Promise<void>((resolve) => {
    stream.once("end", () => resolve());
    stream.once("close", () => resolve());
    stream.on("error", () => resolve());
  });
  const exited = ended.then(async () => {
    const info = await exec.inspect().catch(() => undefined);
    return typeof info?.ExitCode === "number" ? info.ExitCode : -1;
  });
  void exec.resize({ h: TERMINAL_ROWS, w: TERMINAL_COLS }).catch(() => undefined);
  let closed = false;

  return {
    write(data) {
      if (!closed && stream.writable) stream.write(data);
    },
    async killForeground() {
      await runShort(container, ["sh", "-c", foregroundScript("kill")]);
    },
    async shellInForeground() {
      return (await runShort(container, ["sh", "-c", foregroundScript("is-shell")])) === 0;
    },
    exited,
    async close() {
      if (closed) return;
      closed = true;
      // Ending bash ends what it started in its session; the container's removal ends the rest.
      await runShort(container, ["sh", "-c", foregroundScript("kill-session")]).catch(() => undefined);
      stream.destroy();
    },
  };
}

/**
 * A script over the container's terminal, found from any process attached to it (stat fields after the
 * command name: 4 = session, 5 = tty_nr, 6 = tpgid). `kill`: SIGKILL to the foreground process group.
 * `kill-session`: SIGKILL to the whole session. `is-shell`: exits 0 when the foreground group is the
 * session leader's, the shell's own.
 */
function foregroundScript(act: "kill" | "kill-session" | "is-shell"): string {
  const command = {
    kill: 'kill -KILL -- -"$6"; exit 0',
    "kill-session": 'kill -KILL -- -"$4" 2>/dev/null; kill -KILL "$4"; exit 0',
    "is-shell": '[ "$6" = "$4" ]; exit',
  }[act];
  return [
    'for f in /proc/[0-9]*/stat; do',
    '  read -r s < "$f" 2>/dev/null || continue',
    '  set -- ${s##*) }',
    `  if [ "$5" != 0 ] && [ "$6" -gt 0 ] 2>/dev/null; then ${command}; fi`,
    "done; exit 1",
  ].join("\n");
}

/** Runs a short command in the container and waits for it (bounded), ignoring its output; its exit code, or -1. */
async function runShort(container: Docker.Container, cmd: string[], timeoutMs = 10_000): Promise<number> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  stream.resume();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once("end", done);
    stream.once("close", done);
    stream.on("error", done);
  });
  const info = await exec.inspect().catch(() => undefined);
  return typeof info?.ExitCode === "number" ? info.ExitCode : -1;
}
