import type Docker from "dockerode";
import type { Config } from "../config.ts";
import { chooseIsolation } from "./bwrap.ts";
import { defaultDocker, dockerAvailable, imageExists, instanceId, removeOrphanContainers } from "./docker-container.ts";
import { ContainerPool } from "./docker-pool.ts";
import { DockerRuntime } from "./docker.ts";
import { LocalRuntime } from "./local.ts";
import type { Runtime, RuntimeOptions } from "./runtime.ts";

export type CreateRuntimeOptions = RuntimeOptions & { config: Config };

/** The process-wide Docker client and container pool, made on first use. */
type DockerContext = { docker: Docker; pool?: ContainerPool };
let context: DockerContext | undefined;

function dockerContext(config: Config): DockerContext {
  if (context) return context;
  // dockerode reads DOCKER_HOST (and TLS settings) from the environment, else the local socket.
  const docker = defaultDocker();
  const pool =
    config.POOL_SIZE > 0 ? new ContainerPool(docker, config, config.WORKSPACE_BASE, config.POOL_SIZE) : undefined;
  context = { docker, pool };
  return context;
}

/** Whether Docker can serve sandboxes now: the engine answers and SANDBOX_IMAGE exists. */
export async function dockerReady(config: Config): Promise<boolean> {
  const { docker } = dockerContext(config);
  return (await dockerAvailable(docker)) && (await imageExists(docker, config.SANDBOX_IMAGE));
}

/**
 * The sandbox for one conversation, unstarted (call start()). `auto` is Docker when the engine answers
 * and the image exists, else local. Local is bubblewrap when it works here (see SANDBOX_BWRAP).
 */
export async function createRuntime(kind: "docker" | "local" | "auto", opts: CreateRuntimeOptions): Promise<Runtime> {
  const useDocker = kind === "docker" || (kind === "auto" && (await dockerReady(opts.config)));
  if (useDocker) {
    const { docker, pool } = dockerContext(opts.config);
    pool?.fill();
    return new DockerRuntime({ ...opts, docker, pool });
  }
  return new LocalRuntime({ ...opts, isolation: await chooseIsolation(opts.config) });
}

/**
 * Server start-up, for RUNTIME docker or auto: removes this server's sandbox containers (same
 * STATE_DIR) of an earlier run whose conversation is not live (live ones are re-attached by their runtime) and warms the pool. Does
 * nothing when Docker is not ready.
 */
export async function prepareRuntimes(config: Config, liveConversationIds: Set<string>): Promise<void> {
  if (config.RUNTIME === "local" || !(await dockerReady(config))) return;
  const { docker, pool } = dockerContext(config);
  await removeOrphanContainers(docker, liveConversationIds, instanceId(config));
  pool?.fill();
}

/** Server shutdown: removes the pooled containers (each runtime's close() removes its own). */
export async function shutdownRuntimes(): Promise<void> {
  const current = context;
  context = undefined;
  await current?.pool?.close();
}
