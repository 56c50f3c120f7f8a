/**
 * Which sandboxes this machine can run, for the runtime suites. A missing tool skips its variant with
 * one visible line, except under CI=true, where it fails the suite (so CI really runs every variant).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { type Config, loadConfig } from "../../src/config.ts";
import { bwrapWorks } from "../../src/runtime/bwrap.ts";
import { dockerAvailable, imageExists } from "../../src/runtime/docker-container.ts";
import { ContainerPool } from "../../src/runtime/docker-pool.ts";
import { DockerRuntime } from "../../src/runtime/docker.ts";
import { LocalRuntime } from "../../src/runtime/local.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";

export type VariantName = "local-plain" | "local-bwrap" | "docker";

export type SandboxVariant = {
  name: VariantName;
  /** Undefined when available; otherwise why not. */
  missing?: string;
};

export const inCI = process.env.CI === "true";

let docker: Docker | undefined;
export function testDocker(): Docker {
  docker ??= new Docker();
  return docker;
}

export async function sandboxVariants(): Promise<SandboxVariant[]> {
  const image = loadConfig({}).SANDBOX_IMAGE;
  const bwrap = await bwrapWorks();
  const engine = await dockerAvailable(testDocker(), 3000);
  const hasImage = engine && (await imageExists(testDocker(), image));
  return [
    { name: "local-plain" },
    { name: "local-bwrap", missing: bwrap ? undefined : "bwrap is not installed or cannot create namespaces" },
    {
      name: "docker",
      missing: !engine
        ? "no Docker engine answers (scripts/setup-sandbox starts one)"
        : hasImage
          ? undefined
          : `the image ${image} is missing (scripts/sandbox-image builds it)`,
    },
  ];
}

/** Prints the one skip line for a missing variant; under CI the caller turns it into a failure. */
export function announceMissing(variant: SandboxVariant): void {
  if (!variant.missing) return;
  const verb = inCI ? "FAILS (CI=true)" : "skipped";
  console.log(`[runtime-spec] ${variant.name} ${verb}: ${variant.missing}`);
}

export type SandboxBase = { dir: string; config: Config; cleanup(): Promise<void> };

/** A temporary WORKSPACE_BASE and STATE_DIR with test-sized limits. */
export async function makeSandboxBase(env: Record<string, string> = {}): Promise<SandboxBase> {
  const dir = await mkdtemp(join(tmpdir(), "bunhands-rt-"));
  const config = loadConfig({
    WORKSPACE_BASE: join(dir, "workspaces"),
    STATE_DIR: join(dir, "state"),
    SANDBOX_NETWORK: "none",
    SANDBOX_MEMORY_MB: "512",
    SANDBOX_PIDS: "64",
    SANDBOX_CPUS: "1",
    POOL_SIZE: "0",
    ...env,
  });
  return { dir, config, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type RuntimeSettings = { softTimeoutS?: number; defaultTimeoutS?: number; outputCapChars?: number; pool?: ContainerPool };

let counter = 0;

/** A runtime of the variant in a new workspace under the base (unstarted). */
export function makeRuntime(variant: VariantName, base: SandboxBase, settings: RuntimeSettings = {}): Runtime {
  const conversationId = `t${process.pid}-${Date.now().toString(36)}-${counter++}`;
  const opts = {
    conversationId,
    hostWorkspace: join(base.config.WORKSPACE_BASE, conversationId),
    defaultTimeoutS: settings.defaultTimeoutS ?? 20,
    softTimeoutS: settings.softTimeoutS ?? 1,
    outputCapChars: settings.outputCapChars ?? 5000,
    config: base.config,
  };
  if (variant === "docker") return new DockerRuntime({ ...opts, docker: testDocker(), pool: settings.pool });
  return new LocalRuntime({ ...opts, isolation: variant === "local-bwrap" ? "bwrap" : "plain" });
}
