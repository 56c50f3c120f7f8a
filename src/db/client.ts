import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema.ts";
import { embeddedMigrations } from "./migrations.ts";

/** The SQLite file's name inside STATE_DIR. */
export const DATABASE_FILE = "bunhands.sqlite";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** Opens (creating when missing) the SQLite file with the pragmas the event store relies on, and migrates it. */
export function openDatabase(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA foreign_keys = ON");
  const db = drizzle({ client: sqlite, schema });
  // dialect.migrate is what drizzle's own migrate() calls after reading the folder.
  const internal = db as unknown as { dialect: { migrate(m: unknown, s: unknown, c: unknown): void }; session: unknown };
  internal.dialect.migrate(embeddedMigrations(), internal.session, { migrationsFolder: "embedded" });
  return db as Db;
}
