import type { Config } from "./config.ts";
import { action } from "./events/factory.ts";
import { isObservation, type AgentState, type StoredEvent } from "./events/schema.ts";
import { openCore } from "./server/core.ts";
import { prepareDirectories } from "./server/directories.ts";

/** States that end a headless run; `finished` is the only success. */
const TERMINAL: ReadonlySet<AgentState> = new Set(["finished", "error", "stopped", "rejected", "awaiting_user_input"]);

/**
 * Runs one task to its end without a server: each event is printed as a JSON line on stdout.
 * Exit code 0 when the agent finished, 1 otherwise, 2 for a usage error.
 */
export async function runHeadless(config: Config, task: string): Promise<number> {
  if (!task.trim()) {
    console.error('bunhands: run needs a task, e.g. bunhands run "write hello.py"');
    return 2;
  }
  prepareDirectories(config);
  // Events go to stdout as lines; the log (stderr) keeps to warnings unless asked for more.
  const { store, manager } = openCore(config, (_topic, frame) => console.log(frame), config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  try {
    const session = await manager.create({ title: task.slice(0, 60) });
    await session.initialize({});
    const ended = session.stream.waitFor((e: StoredEvent) => isObservation(e) && e.observation === "agent_state_changed" && TERMINAL.has(e.extras.agent_state as AgentState) && e.extras.reason !== "initialized");
    await session.stream.append(action("user", "message", { content: task }));
    const last = await ended;
    return isObservation(last) && last.extras.agent_state === "finished" ? 0 : 1;
  } finally {
    await manager.closeAll();
    store.close();
  }
}

