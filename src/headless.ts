import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import { DATABASE_FILE, openDatabase } from "./db/client.ts";
import { action } from "./events/factory.ts";
import { isObservation, type AgentState, type StoredEvent } from "./events/schema.ts";
import { SqliteEventStore } from "./events/sqlite-store.ts";
import { configureLog } from "./log.ts";
import { SecurityAnalyzer } from "./security/analyzer.ts";
import { createSecretMasker } from "./security/mask.ts";
import { ConversationManager } from "./server/conversation-manager.ts";
import { Metrics } from "./server/metrics.ts";

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
  const mask = createSecretMasker([config.LLM_API_KEY, config.SESSION_API_KEY]);
  configureLog(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, mask);
  mkdirSync(config.STATE_DIR, { recursive: true });
  const store = new SqliteEventStore(openDatabase(join(config.STATE_DIR, DATABASE_FILE)), { redactJson: mask });
  const analyzer = new SecurityAnalyzer();
  const manager = new ConversationManager({
    config,
    store,
    metrics: new Metrics(),
    publish: (_topic, frame) => console.log(frame),
    rate: (action, ctx) => analyzer.analyze(action, ctx),
  });
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

