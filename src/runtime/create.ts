import { existsSync } from "node:fs";
import type { Config } from "../config.ts";
import { chooseIsolation } from "./bwrap.ts";
import { LocalRuntime } from "./local.ts";
import type { Runtime, RuntimeOptions } from "./runtime.ts";

export type CreateRuntimeOptions = RuntimeOptions & { config: Config };

/**
 * The Docker side (dockerode and its dependencies: ~50 ms and several MB to load; in the executable an
 * entrypoint of its own, see src/entrypoints.ts) is imported only when Docker may be used, so a local-only
 * server starts fast and small.
 */
let dockerSideLoaded: Promise<typeof import("./docker-context.ts")> | undefined;
const dockerSide = () => (dockerSideLoaded ??= import("./docker-context.ts"));

/** Whether an engine could be there at all: DOCKER_HOST is set or the default socket exists. */
function engineMayExist(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync("/var/run/docker.sock");
}

/** Whether Docker can serve sandboxes now: the engine answers and SANDBOX_IMAGE exists. */
export async function dockerReady(config: Config): Promise<boolean> {
  if (!engineMayExist()) return false;
  return (await dockerSide()).dockerReady(config);
}

/**
 * The sandbox for one conversation, unstarted (call start()). `auto` is Docker when the engine answers
 * and the image exists, else local. Local is bubblewrap when it works here (see SANDBOX_BWRAP).
 */
export async function createRuntime(kind: "docker" | "local" | "auto", opts: CreateRuntimeOptions): Promise<Runtime> {
  const useDocker = kind === "docker" || (kind === "auto" && (await dockerReady(opts.config)));
  if (useDocker) return (await dockerSide()).createDockerRuntime(opts);
  return new LocalRuntime({ ...opts, isolation: await chooseIsolation(opts.config) });
}

/**
 * Server start-up, for RUNTIME docker or auto: removes this server's sandbox containers (same
 * STATE_DIR) of an earlier run whose conversation is not live (live ones are re-attached by their
 * runtime) and warms the pool. Does nothing when Docker is not ready.
 */
export async function prepareRuntimes(config: Config, liveConversationIds: Set<string>): Promise<void> {
  if (config.RUNTIME === "local" || !(await dockerReady(config))) return;
  await (await dockerSide()).prepareDocker(config, liveConversationIds);
}

/** Server shutdown: removes the pooled containers (each runtime's close() removes its own). */
export async function shutdownRuntimes(): Promise<void> {
  if (!dockerSideLoaded) return;
  await (await dockerSide()).shutdownDocker();
}
