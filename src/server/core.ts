import { join } from "node:path";
import type { Config } from "../config.ts";
import { DATABASE_FILE, openDatabase, type Db } from "../db/client.ts";
import { SqliteEventStore } from "../events/sqlite-store.ts";
import type { Publisher } from "../events/stream.ts";
import { configureLog, type Level } from "../log.ts";
import { SecurityAnalyzer } from "../security/analyzer.ts";
import { createSecretMasker } from "../security/mask.ts";
import { ConversationManager } from "./conversation-manager.ts";
import { Metrics } from "./metrics.ts";
import { describeFsError, StartError } from "./start-error.ts";

export type Core = { store: SqliteEventStore; manager: ConversationManager; metrics: Metrics };

/**
 * What the server and a headless run share: secrets masked in the log and in stored events, the event store
 * (openDatabase creates STATE_DIR), and the conversations, each action rated by the security analyzer.
 */
export function openCore(config: Config, publish: Publisher, logLevel: Level = config.LOG_LEVEL): Core {
  const mask = createSecretMasker([config.LLM_API_KEY, config.SESSION_API_KEY]);
  configureLog(logLevel, mask);
  const store = new SqliteEventStore(openStateDatabase(join(config.STATE_DIR, DATABASE_FILE)), { redactJson: mask });
  const metrics = new Metrics();
  const analyzer = new SecurityAnalyzer();
  const manager = new ConversationManager({ config, store, metrics, publish, rate: (action, ctx) => analyzer.analyze(action, ctx) });
  return { store, manager, metrics };
}

/** The database, or one line for the operator when the file cannot be opened or migrated (not a database, unreadable…). */
function openStateDatabase(file: string): Db {
  try {
    return openDatabase(file);
  } catch (error) {
    throw new StartError(`the database ${file} (in STATE_DIR) cannot be opened: ${describeFsError(error)}`);
  }
}
