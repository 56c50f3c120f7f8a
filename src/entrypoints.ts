/**
 * Code that only some runs need is not part of the executable's main module: scripts/build compiles each of
 * these files as an entrypoint of its own, and it is read only when first used. The main module's size is
 * paid by every start (the Docker client and the Anthropic SDK were 60% of it: ~12 ms of start and ~1.5 MB
 * of idle memory, docs/benchmarks.md). Only third-party code goes here; our own modules must stay in the
 * main module, or they would be loaded twice with two copies of their state.
 */
export const ENTRYPOINTS = {
  dockerode: "vendor/dockerode.ts",
  anthropicSdk: "vendor/anthropic-sdk.ts",
  checkpointWorker: "db/checkpoint-worker.ts",
} as const;

/**
 * The URL of a file under src/. From source this module is src/entrypoints.ts; in the executable it is part
 * of /$bunfs/root/bunhands, and each extra entrypoint is stored at its path under src/ (found by its .ts
 * name). Either way the path is relative to the folder this module is in.
 */
export function entrypointUrl(file: (typeof ENTRYPOINTS)[keyof typeof ENTRYPOINTS]): string {
  return new URL(`./${file}`, import.meta.url).href;
}

export function loadDockerode(): Promise<typeof import("./vendor/dockerode.ts")> {
  return import(entrypointUrl(ENTRYPOINTS.dockerode));
}

export function loadAnthropicSdk(): Promise<typeof import("./vendor/anthropic-sdk.ts")> {
  return import(entrypointUrl(ENTRYPOINTS.anthropicSdk));
}
