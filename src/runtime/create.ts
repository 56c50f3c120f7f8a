import type { Config } from "../config.ts";
import { chooseIsolation } from "./bwrap.ts";
import { LocalRuntime } from "./local.ts";
import type { Runtime, RuntimeOptions } from "./runtime.ts";

export type CreateRuntimeOptions = RuntimeOptions & { config: Config };

/**
 * The sandbox for one conversation. `auto` is Docker when the engine answers and the image exists,
 * else local. The runtime is returned unstarted: call start().
 */
export async function createRuntime(kind: "docker" | "local" | "auto", opts: CreateRuntimeOptions): Promise<Runtime> {
  if (kind === "docker") throw new Error("the Docker runtime is not available yet");
  return new LocalRuntime({ ...opts, isolation: await chooseIsolation(opts.config) });
}
