import { join } from "node:path";
import type { Config } from "../config.ts";
import { DATABASE_FILE, openDatabase } from "../db/client.ts";
import { SqliteEventStore } from "../events/sqlite-store.ts";
import type { Publisher } from "../events/stream.ts";
import { configureLog, type Level } from "../log.ts";
import { SecurityAnalyzer } from "../security/analyzer.ts";
import { createSecretMasker } from "../security/mask.ts";
import { ConversationManager } from "./conversation-manager.ts";
import { Metrics } from "./metrics.ts";

export type Core = { store: SqliteEventStore; manager: ConversationManager; metrics: Metrics };

/**
 * What the server and a headless run share: secrets masked in the log and in stored events, the event store
 * (openDatabase creates STATE_DIR), and the conversations, each action rated by the security analyzer.
 */
export function openCore(config: Config, publish: Publisher, logLevel: Level = config.LOG_LEVEL): Core {
  const mask = createSecretMasker([config.LLM_API_KEY, config.SESSION_API_KEY]);
  configureLog(logLevel, mask);
  const store = new SqliteEventStore(openDatabase(join(config.STATE_DIR, DATABASE_FILE)), { redactJson: mask });
  const metrics = new Metrics();
  const analyzer = new SecurityAnalyzer();
  const manager = new ConversationManager({ config, store, metrics, publish, rate: (action, ctx) => analyzer.analyze(action, ctx) });
  return { store, manager, metrics };
}
