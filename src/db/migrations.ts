import type { MigrationMeta } from "drizzle-orm/migrator";
import journal from "./migrations/meta/_journal.json";
import init0000 from "./migrations/0000_init.sql" with { type: "text" };

/**
 * drizzle-kit's migrations, embedded as text so that a compiled binary (which cannot read a migrations
 * folder) applies them too. A new migration is one more line here; test/store.test.ts checks none is missing.
 */
export const EMBEDDED_SQL: Record<string, string> = {
  "0000_init": init0000,
};

/** The same metadata drizzle's readMigrationFiles builds from the folder. */
export function embeddedMigrations(): MigrationMeta[] {
  return journal.entries.map((entry) => {
    const sql = EMBEDDED_SQL[entry.tag];
    if (sql === undefined) throw new Error(`migration ${entry.tag} is not embedded in src/db/migrations.ts`);
    return {
      sql: sql.split("--> statement-breakpoint"),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: new Bun.CryptoHasher("sha256").update(sql).digest("hex"),
    };
  });
}
