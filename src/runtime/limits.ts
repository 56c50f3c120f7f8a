import type { Config } from "../config.ts";

/** CPU seconds any one process may use: the longest hard timeout a command may ask for, plus slack. */
const CPU_SECONDS = 600;

/**
 * `prlimit` arguments that cap CPU time and memory (data segment: heap and private mappings) for the
 * shell and everything it starts, when util-linux's prlimit is installed; none otherwise. RLIMIT_DATA
 * rather than RLIMIT_AS, since runtimes such as V8 and Go reserve far more address space than they use.
 */
export function prlimitArgs(config: Pick<Config, "SANDBOX_MEMORY_MB">): string[] {
  const bin = Bun.which("prlimit");
  if (!bin) return [];
  const bytes = config.SANDBOX_MEMORY_MB * 1024 * 1024;
  return [bin, `--cpu=${CPU_SECONDS}:${CPU_SECONDS + 10}`, `--data=${bytes}`, "--"];
}
