import { mkdir } from "node:fs/promises";
import type Docker from "dockerode";
import type { Config } from "../config.ts";
import type { RunArgs } from "../events/schema.ts";
import {
  CONVERSATION_LABEL,
  containerName,
  removeContainer,
  startContainer,
} from "./docker-container.ts";
import type { ContainerPool, PooledShell } from "./docker-pool.ts";
import { containerShellEnv, openDockerTransport } from "./docker-transport.ts";
import { SANDBOX_WORKSPACE, type RunResult, type Runtime, type RuntimeOptions } from "./runtime.ts";
import { PersistentShell } from "./shell.ts";
import { ShellStartError } from "./shell-errors.ts";

export type DockerRuntimeOptions = RuntimeOptions & { config: Config; docker: Docker; pool?: ContainerPool };

/** The Docker engine or the container failed; the message says what to do. */
export class SandboxUnavailableError extends ShellStartError {}

/**
 * One container per conversation (from SANDBOX_IMAGE, the workspace bind-mounted at /workspace) with a
 * persistent bash attached through one long-lived exec. Files are read and written through the bind
 * mount on the host.
 */
export class DockerRuntime implements Runtime {
  readonly kind = "docker" as const;
  readonly hostWorkspace: string;
  readonly sandboxWorkspace = SANDBOX_WORKSPACE;
  /**
   * Only when the container shares the host's network (SANDBOX_NETWORK=host). Otherwise its commands cannot
   * reach the host's loopback or its private networks, and browse must not open that way round the sandbox.
   * The container's own localhost (a dev server the agent started) is not the host's either: `run` with
   * curl or wget reaches it.
   */
  readonly browsesHostNetwork: boolean;
  private container?: Docker.Container;
  private acquiring?: Promise<Docker.Container>;
  /** The shell that came attached with a pooled container, used for the first shell only. */
  private pooledShell?: PooledShell;
  private readonly shell: PersistentShell;
  private closed = false;

  constructor(private readonly opts: DockerRuntimeOptions) {
    this.hostWorkspace = opts.hostWorkspace;
    this.browsesHostNetwork = opts.config.SANDBOX_NETWORK === "host";
    const env = containerShellEnv();
    this.shell = new PersistentShell({
      workspace: SANDBOX_WORKSPACE,
      defaultTimeoutS: opts.defaultTimeoutS,
      softTimeoutS: opts.softTimeoutS,
      outputCapChars: opts.outputCapChars,
      openTransport: async (sink) => {
        const container = await this.ensureContainer();
        const pooled = this.pooledShell;
        this.pooledShell = undefined;
        if (pooled?.alive()) {
          pooled.sink.attach(sink);
          return pooled.transport;
        }
        if (pooled) void pooled.transport.close().catch(() => undefined);
        try {
          return await openDockerTransport(container, env, SANDBOX_WORKSPACE, sink);
        } catch (error) {
          // The container died (engine restart, OOM of its init): start a fresh one once.
          if (this.container === container && !(await isRunning(container))) {
            this.container = undefined;
            await removeContainer(container).catch(() => undefined);
            return openDockerTransport(await this.ensureContainer(), env, SANDBOX_WORKSPACE, sink);
          }
          throw unavailable(error);
        }
      },
    });
  }

  get busy(): boolean {
    return this.shell.busy;
  }

  whenBusy(): Promise<void> {
    return this.shell.whenBusy();
  }

  /** The container's id once started (for tests and diagnostics). */
  get containerId(): string | undefined {
    return this.container?.id;
  }

  async start(): Promise<void> {
    await this.shell.start();
  }

  run(args: RunArgs): Promise<RunResult> {
    return this.shell.run(args);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Removing the container ends every process in it at once; the shell then only has to let go.
    const container = this.container ?? (await this.acquiring?.catch(() => undefined));
    this.container = undefined;
    if (container) await removeContainer(container).catch(() => undefined);
    const pooled = this.pooledShell;
    this.pooledShell = undefined;
    await Promise.all([this.shell.close(), pooled?.transport.close()]);
  }

  private ensureContainer(): Promise<Docker.Container> {
    if (this.closed) return Promise.reject(new SandboxUnavailableError("the sandbox was closed"));
    if (this.container) return Promise.resolve(this.container);
    this.acquiring ??= this.acquire()
      .then(async (container) => {
        if (this.closed) {
          await removeContainer(container).catch(() => undefined);
          throw new SandboxUnavailableError("the sandbox was closed");
        }
        this.container = container;
        return container;
      })
      .finally(() => {
        this.acquiring = undefined;
      });
    return this.acquiring;
  }

  /** Re-attaches to this conversation's running container, else takes one from the pool, else creates one. */
  private async acquire(): Promise<Docker.Container> {
    const { docker, config, conversationId } = this.opts;
    const name = containerName(conversationId);
    try {
      const existing = docker.getContainer(name);
      const info = await existing.inspect().catch(() => undefined);
      if (info?.State?.Running) return docker.getContainer(info.Id);
      if (info) await removeContainer(existing);
      const claimed = await this.opts.pool?.claim(this.hostWorkspace, conversationId);
      if (claimed) {
        this.pooledShell = claimed.shell;
        return claimed.container;
      }
      await mkdir(this.hostWorkspace, { recursive: true });
      return await startContainer(docker, config, this.hostWorkspace, name, { [CONVERSATION_LABEL]: conversationId });
    } catch (error) {
      throw unavailable(error);
    }
  }
}

async function isRunning(container: Docker.Container): Promise<boolean> {
  const info = await container.inspect().catch(() => undefined);
  return info?.State?.Running === true;
}

function unavailable(error: unknown): SandboxUnavailableError {
  if (error instanceof SandboxUnavailableError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  // No registry is reachable here: a missing image is built locally, and saying how is the useful part.
  const image = /No such image: (\S+)/.exec(detail)?.[1];
  if (image) return new SandboxUnavailableError(`the Docker sandbox is unavailable: the image ${image} is not on this Docker engine; build it with scripts/sandbox-image ${image}, or set SANDBOX_IMAGE to one that is`);
  return new SandboxUnavailableError(`the Docker sandbox is unavailable: ${detail.trim()}`);
}
