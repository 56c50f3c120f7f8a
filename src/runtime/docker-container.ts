import type Docker from "dockerode";
import { loadDockerode } from "../entrypoints.ts";
import type { Config } from "../config.ts";
import { SANDBOX_WORKSPACE } from "./runtime.ts";

export const LABEL = "bunhands";
export const CONVERSATION_LABEL = "bunhands.conversation";
export const POOL_LABEL = "bunhands.pool";
/** Which server (by its STATE_DIR) owns a container, so two servers on one engine leave each other be. */
export const INSTANCE_LABEL = "bunhands.instance";

export type SandboxSettings = Pick<
  Config,
  "SANDBOX_IMAGE" | "SANDBOX_MEMORY_MB" | "SANDBOX_PIDS" | "SANDBOX_CPUS" | "SANDBOX_NETWORK" | "STATE_DIR"
>;

export function instanceId(settings: Pick<Config, "STATE_DIR">): string {
  return new Bun.CryptoHasher("sha256").update(settings.STATE_DIR).digest("hex").slice(0, 16);
}

/** Container name of a conversation's sandbox (pooled containers are renamed to it when claimed). */
export function containerName(conversationId: string): string {
  return `bunhands-${conversationId.replace(/[^a-zA-Z0-9_.-]/g, "_")}`;
}

/**
 * Creates and starts a sandbox container: the host folder bind-mounted at /workspace, limits and
 * network from the settings, an init process that reaps orphans, and a main process that only waits
 * (commands run in an exec'd shell).
 */
export async function startContainer(
  docker: Docker,
  settings: SandboxSettings,
  hostDir: string,
  name: string,
  labels: Record<string, string>,
): Promise<Docker.Container> {
  const memory = settings.SANDBOX_MEMORY_MB * 1024 * 1024;
  const container = await docker.createContainer({
    name,
    Image: settings.SANDBOX_IMAGE,
    Cmd: ["sleep", "infinity"],
    WorkingDir: SANDBOX_WORKSPACE,
    Labels: { [LABEL]: "1", [INSTANCE_LABEL]: instanceId(settings), ...labels },
    HostConfig: {
      Binds: [`${hostDir}:${SANDBOX_WORKSPACE}`],
      Memory: memory,
      MemorySwap: memory,
      PidsLimit: settings.SANDBOX_PIDS,
      NanoCpus: Math.round(settings.SANDBOX_CPUS * 1e9),
      NetworkMode: settings.SANDBOX_NETWORK,
      Init: true,
      SecurityOpt: ["no-new-privileges"],
    },
  });
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
  return container;
}

export async function removeContainer(container: Docker.Container): Promise<void> {
  await container.remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
    // 404: already gone; 409: removal already in progress.
    if (error?.statusCode !== 404 && error?.statusCode !== 409) throw error;
  });
}

/**
 * Removes sandbox containers left by an earlier run: every container labelled bunhands=1 (and, when
 * `instance` is given, owned by that server: see instanceId) whose conversation is not in `liveIds`,
 * and every pooled one. Returns how many were removed.
 */
export async function removeOrphanContainers(docker: Docker, liveIds: Set<string>, instance?: string): Promise<number> {
  const label = [`${LABEL}=1`, ...(instance ? [`${INSTANCE_LABEL}=${instance}`] : [])];
  const list = await docker.listContainers({ all: true, filters: { label } });
  const orphans = list.filter((info) => {
    const id = info.Labels?.[CONVERSATION_LABEL];
    if (id && liveIds.has(id)) return false;
    // Pooled containers carry no conversation label: they are known by the name they were renamed to.
    const names = info.Names ?? [];
    return ![...liveIds].some((live) => names.includes(`/${containerName(live)}`));
  });
  await Promise.all(orphans.map((info) => removeContainer(docker.getContainer(info.Id)).catch(() => undefined)));
  return orphans.length;
}

let defaultClient: Promise<Docker> | undefined;

/** A client for the engine DOCKER_HOST names (else the local socket), made once. */
export function defaultDocker(): Promise<Docker> {
  defaultClient ??= loadDockerode().then(({ default: DockerClient }) => new DockerClient());
  return defaultClient;
}

const pingCache = new WeakMap<Docker, { at: number; ok: Promise<boolean> }>();

/** Whether a Docker engine answers (ping with a short timeout; cached for a second per client). */
export function dockerAvailable(docker: Docker, timeoutMs = 1500): Promise<boolean> {
  const now = performance.now();
  const cached = pingCache.get(docker);
  if (cached && now - cached.at < 1000) return cached.ok;
  const ok = (async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      // dockerode's ping takes an abortSignal; its type definitions lag behind.
      const ping = docker.ping.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
      await ping({ abortSignal: controller.signal });
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  })();
  pingCache.set(docker, { at: now, ok });
  return ok;
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}
