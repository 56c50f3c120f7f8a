import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    agentState: text("agent_state").notNull(),
    runtime: text("runtime").notNull(),
    confirmationMode: integer("confirmation_mode", { mode: "boolean" }).notNull().default(false),
    workspace: text("workspace").notNull(),
    settings: text("settings").notNull().default("{}"),
    createdAt: text("created_at").notNull(),
    lastActivityAt: text("last_activity_at").notNull(),
  },
  (t) => [index("conversations_activity").on(t.lastActivityAt, t.id)],
);

export const events = sqliteTable(
  "events",
  {
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    id: integer("id").notNull(),
    /** The event exactly as sent on the wire, so replay needs no re-serialization. */
    json: text("json").notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.id] })],
);
