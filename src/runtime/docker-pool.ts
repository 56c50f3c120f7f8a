import { mkdir, rename, rm, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type Docker from "dockerode";
import {
  POOL_LABEL,
  type SandboxSettings,
  containerName,
  removeContainer,
  startContainer,
} from "./docker-container.ts";
import { SANDBOX_WORKSPACE } from "./runtime.ts";

import { SinkSwitch, containerShellEnv, openDockerTransport } from "./docker-transport.ts";
import type { ShellTransport } from "./shell-transport.ts";

type Pooled = { container: Docker.Container; dir: string; shell: PooledShell };

/** A shell already attached in a pooled container (an exec takes 100–200 ms to really start). */
export type PooledShell = { transport: ShellTransport; sink: SinkSwitch; alive: () => boolean };

export type ClaimedContainer = { container: Docker.Container; shell?: PooledShell };

/** After a failed start the pool waits this long before trying again (a missing image, a full disk). */
const RETRY_AFTER_MS = 30_000;
/** How long a pooled shell may take to print its first prompt before it is pooled anyway. */
const SHELL_START_LIMIT_MS = 10_000;

/**
 * A few containers started ahead of time, each with its shell already attached, so that a new
 * conversation's first command waits neither for a container start (~0.5 s) nor for an exec (~0.15 s).
 *
 * A bind mount is fixed when a container is created, so a pooled container cannot be pointed at a
 * conversation's folder later. Each pooled container therefore mounts a fresh, empty folder of its own
 * (WORKSPACE_BASE/.pool/<uuid>) at /workspace; claiming it renames that folder to the conversation's
 * workspace path. A bind mount follows the directory itself, not its name, so the container keeps
 * seeing exactly that folder, now at the conversation's path on the host. Unlike mounting all of
 * WORKSPACE_BASE and cd-ing into a subfolder, no container ever has a sibling conversation's files in
 * its mount namespace. The rename needs the target to be absent or an empty folder on the same
 * filesystem; otherwise the conversation gets a freshly created container instead.
 *
 * Labels cannot change after creation, so a claimed container is renamed to the conversation's
 * container name, which is how removeOrphanContainers recognises it.
 */
export class ContainerPool {
  private readonly ready: Pooled[] = [];
  private starting = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private retryAt = 0;
  private closed = false;

  constructor(
    private readonly docker: Docker,
    private readonly settings: SandboxSettings,
    private readonly workspaceBase: string,
    readonly size: number,
  ) {}

  get available(): number {
    return this.ready.length;
  }

  /** Starts containers in the background until `size` are ready or starting. */
  fill(): void {
    if (this.closed || performance.now() < this.retryAt) return;
    while (this.ready.length + this.starting < this.size) {
      this.starting++;
      const started: Promise<void> = this.startOne()
        .then((entry) => {
          if (this.closed) return discard(entry);
          this.ready.push(entry);
        })
        .catch((error: unknown) => {
          this.retryAt = performance.now() + RETRY_AFTER_MS;
          console.warn(`warning: could not start a pooled sandbox container: ${describe(error)}`);
        })
        .finally(() => {
          this.starting--;
          this.inFlight.delete(started);
        });
      this.inFlight.add(started);
    }
  }

  /** Waits until the pool holds `size` ready containers (for start-up and tests), bounded. */
  async warm(timeoutMs = 30_000): Promise<void> {
    this.fill();
    const until = performance.now() + timeoutMs;
    while (this.ready.length < this.size && this.starting > 0 && performance.now() < until) await Bun.sleep(20);
  }

  /**
   * Hands a ready container to a conversation, its folder renamed to `hostDir`; undefined when none
   * is ready or the folder cannot take that place.
   */
  async claim(hostDir: string, conversationId: string): Promise<ClaimedContainer | undefined> {
    let entry = this.ready.shift();
    // A pooled shell that died while waiting (its container stopped) is no use.
    while (entry && !entry.shell.alive()) {
      void discard(entry);
      entry = this.ready.shift();
    }
    if (!entry) {
      this.fill();
      return undefined;
    }
    try {
      await mkdir(dirname(hostDir), { recursive: true });
      await rename(entry.dir, hostDir);
    } catch {
      this.ready.unshift(entry);
      return undefined;
    }
    this.fill();
    // Naming is bookkeeping only (orphan clean-up); the conversation need not wait for it.
    void entry.container.rename({ name: containerName(conversationId) }).catch(() => undefined);
    return { container: entry.container, shell: entry.shell };
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = this.ready.splice(0);
    // A container still starting is discarded when its start ends (closed is set): wait for that too,
    // or a shutdown would leave it behind.
    await Promise.all([...entries.map(discard), ...this.inFlight]);
  }

  private async startOne(): Promise<Pooled> {
    const id = crypto.randomUUID();
    const dir = join(this.workspaceBase, ".pool", id);
    await mkdir(dir, { recursive: true });
    try {
      const container = await startContainer(this.docker, this.settings, dir, `bunhands-pool-${id}`, {
        [POOL_LABEL]: "1",
      });
      try {
        const sink = new SinkSwitch();
        const transport = await openDockerTransport(container, containerShellEnv(), SANDBOX_WORKSPACE, sink);
        let alive = true;
        void transport.exited.then(() => (alive = false));
        // Ready only once bash has printed its first prompt, so a claim never waits for it.
        await Promise.race([sink.started, transport.exited, Bun.sleep(SHELL_START_LIMIT_MS)]);
        return { container, dir, shell: { transport, sink, alive: () => alive } };
      } catch (error) {
        await removeContainer(container).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
}

async function discard(entry: Pooled): Promise<void> {
  await entry.shell.transport.close().catch(() => undefined);
  await removeContainer(entry.container).catch(() => undefined);
  await rmdir(entry.dir).catch(() => undefined);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
