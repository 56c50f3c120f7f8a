import type Docker from "dockerode";
import type { Config } from "../config.ts";
import { defaultDocker, dockerAvailable, imageExists, instanceId, removeOrphanContainers } from "./docker-container.ts";
import { ContainerPool } from "./docker-pool.ts";
import { DockerRuntime } from "./docker.ts";
import type { Runtime, RuntimeOptions } from "./runtime.ts";

/** The process-wide Docker client and container pool, made on first use. */
type DockerContext = { docker: Docker; pool?: ContainerPool };
let context: Promise<DockerContext> | undefined;

function dockerContext(config: Config): Promise<DockerContext> {
  // dockerode reads DOCKER_HOST (and TLS settings) from the environment, else the local socket.
  context ??= defaultDocker().then((docker) => ({
    docker,
    pool: config.POOL_SIZE > 0 ? new ContainerPool(docker, config, config.WORKSPACE_BASE, config.POOL_SIZE) : undefined,
  }));
  return context;
}

/** Whether Docker can serve sandboxes now: the engine answers and SANDBOX_IMAGE exists. */
export async function dockerReady(config: Config): Promise<boolean> {
  const { docker } = await dockerContext(config);
  return (await dockerAvailable(docker)) && (await imageExists(docker, config.SANDBOX_IMAGE));
}

export async function createDockerRuntime(opts: RuntimeOptions & { config: Config }): Promise<Runtime> {
  const { docker, pool } = await dockerContext(opts.config);
  pool?.fill();
  return new DockerRuntime({ ...opts, docker, pool });
}

/** Removes this server's orphan containers of an earlier run (live ones are re-attached) and warms the pool. */
export async function prepareDocker(config: Config, liveConversationIds: Set<string>): Promise<void> {
  const { docker, pool } = await dockerContext(config);
  await removeOrphanContainers(docker, liveConversationIds, instanceId(config));
  pool?.fill();
}

/** Removes the pooled containers (each runtime's close() removes its own). */
export async function shutdownDocker(): Promise<void> {
  const current = context;
  context = undefined;
  await (await current)?.pool?.close();
}
