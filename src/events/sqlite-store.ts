import type { Statement } from "bun:sqlite";
import { and, asc, count, desc, eq, getTableName, gte, inArray, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { WalCheckpointer } from "../db/wal-checkpointer.ts";
import { conversations, events } from "../db/schema.ts";
import type { NewEvent, NewObservationEvent, StoredEvent } from "./schema.ts";
import type { CommittedEvent, ConversationRecord, EventRange, EventStore } from "./store.ts";
import { fromWireJson, toWireJson } from "./serialize.ts";

export type SqliteStoreOptions = {
  /** Applied to each event's JSON before it is written and published: secrets never reach a row or a socket. */
  redactJson?: (json: string) => string;
};

type PendingAppend = {
  conversationId: string;
  events: NewEvent[];
  /** Stored right after `events`, with the id of the last of them as its `cause`. */
  answer?: NewObservationEvent;
  resolve: (stored: CommittedEvent[]) => void;
  reject: (error: unknown) => void;
};

type ConversationRow = typeof conversations.$inferSelect;

const TOUCH_EVERY_MS = 1000;
/**
 * Rows per multi-row INSERT. Each statement call costs about as much as the row it writes (binding, the call
 * into SQLite, the reset), so a group commit writes its rows 16 at a time, the rest one by one.
 */
const INSERT_CHUNK = 16;

/**
 * The SQLite event store. Appends that arrive in the same turn of the event loop are committed in one
 * transaction (group commit): one fsync-free WAL commit for many events instead of one each.
 */
export class SqliteEventStore implements EventStore {
  private readonly nextIds = new Map<string, number>();
  private readonly lastTouched = new Map<string, number>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly checkpointer: WalCheckpointer | undefined;
  private readonly writeBatch: (batch: PendingAppend[], timestamp: string, reserved: Map<string, number>) => CommittedEvent[][];

  // The two statements on the hot path are bun:sqlite prepared statements: Drizzle's per-call mapping
  // costs more than the commit itself here. Everything else goes through Drizzle.
  private readonly insertEvent: Statement<unknown, [string, number, string]>;
  /** INSERT_CHUNK rows in one statement: a commit of many events makes a sixteenth of the calls. */
  private readonly insertEvents: Statement<unknown, Array<string | number>>;
  private readonly touchConversation: Statement<unknown, [string, string]>;
  private readonly maxId;
  /** Replay reads every stored event of a conversation: the raw statement is about twice Drizzle's speed. */
  private readonly jsonAfter: Statement<{ id: number; json: string }, [string, number, number]>;

  constructor(
    private readonly db: Db,
    private readonly options: SqliteStoreOptions = {},
  ) {
    const insertInto = `INSERT INTO ${getTableName(events)} (${events.conversationId.name}, ${events.id.name}, ${events.json.name}) VALUES `;
    this.insertEvent = db.$client.prepare(`${insertInto}(?, ?, ?)`);
    this.insertEvents = db.$client.prepare(insertInto + Array.from({ length: INSERT_CHUNK }, () => "(?, ?, ?)").join(", "));
    this.touchConversation = db.$client.prepare(`UPDATE ${getTableName(conversations)} SET ${conversations.lastActivityAt.name} = ? WHERE ${conversations.id.name} = ?`);
    this.jsonAfter = db.$client.prepare(
      `SELECT ${events.id.name} AS id, ${events.json.name} AS json FROM ${getTableName(events)} WHERE ${events.conversationId.name} = ? AND ${events.id.name} > ? ORDER BY ${events.id.name} LIMIT ?`,
    );
    this.maxId = db
      .select({ max: sql<number | null>`max(${events.id})` })
      .from(events)
      .where(eq(events.conversationId, sql.placeholder("c")))
      .prepare();
    this.writeBatch = db.$client.transaction((batch: PendingAppend[], timestamp: string, reserved: Map<string, number>) => this.insertBatch(batch, timestamp, reserved));
    const file = db.$client.filename;
    this.checkpointer = file && file !== ":memory:" ? new WalCheckpointer(db.$client) : undefined;
  }

  createConversation(record: ConversationRecord): void {
    this.db.insert(conversations).values(toRow(record)).run();
    this.nextIds.set(record.conversation_id, 0);
  }

  getConversation(id: string): ConversationRecord | undefined {
    const row = this.db.select().from(conversations).where(eq(conversations.id, id)).get();
    return row ? fromRow(row) : undefined;
  }

  listConversations(limit: number, after?: string): { results: ConversationRecord[]; nextPageId: string | null } {
    const cursor = after ? decodeCursor(after) : undefined;
    const where = cursor
      ? or(lt(conversations.lastActivityAt, cursor.at), and(eq(conversations.lastActivityAt, cursor.at), lt(conversations.id, cursor.id)))
      : undefined;
    const rows = this.db
      .select()
      .from(conversations)
      .where(where)
      .orderBy(desc(conversations.lastActivityAt), desc(conversations.id))
      .limit(limit + 1)
      .all();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextPageId = rows.length > limit && last ? encodeCursor(last.lastActivityAt, last.id) : null;
    return { results: page.map(fromRow), nextPageId };
  }

  updateConversation(id: string, patch: Partial<Omit<ConversationRecord, "conversation_id">>): void {
    const row = toRow({ ...(this.getConversation(id) ?? ({} as ConversationRecord)), ...patch, conversation_id: id });
    const { id: _ignored, ...values } = row;
    this.db.update(conversations).set(values).where(eq(conversations.id, id)).run();
  }

  deleteConversation(id: string): void {
    this.db.transaction((tx) => {
      tx.delete(events).where(eq(events.conversationId, id)).run();
      tx.delete(conversations).where(eq(conversations.id, id)).run();
    });
    this.nextIds.delete(id);
    this.lastTouched.delete(id);
  }

  countConversations(): number {
    return this.db.select({ n: count() }).from(conversations).get()?.n ?? 0;
  }

  conversationIdsInState(states: readonly string[]): string[] {
    if (states.length === 0) return [];
    return this.db
      .select({ id: conversations.id })
      .from(conversations)
      .where(inArray(conversations.agentState, [...states]))
      .all()
      .map((row) => row.id);
  }

  countEvents(): number {
    return this.db.select({ n: count() }).from(events).get()?.n ?? 0;
  }

  append(conversationId: string, newEvents: NewEvent[], answer?: NewObservationEvent): Promise<CommittedEvent[]> {
    if (this.closed) return Promise.reject(new Error("the event store is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ conversationId, events: newEvents, answer, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued; called on its own, and by close() so nothing queued is lost. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const results = this.commit(batch);
      batch.forEach((item, i) => item.resolve(results[i] as CommittedEvent[]));
    } catch {
      // One bad item (an unknown conversation) must not fail the others: retry them one by one.
      for (const item of batch) {
        try {
          item.resolve(this.commit([item])[0] as CommittedEvent[]);
        } catch (error) {
          item.reject(error);
        }
      }
    }
  }

  private commit(batch: PendingAppend[]): CommittedEvent[][] {
    const reserved = new Map<string, number>();
    const results = this.writeBatch(batch, new Date().toISOString(), reserved);
    // Only a committed transaction advances the id counters.
    for (const [id, next] of reserved) this.nextIds.set(id, next);
    this.checkpointer?.committed();
    return results;
  }

  /** The body of one commit (run inside `writeBatch`, bun:sqlite's transaction wrapper, made once). */
  private insertBatch(batch: PendingAppend[], timestamp: string, reserved: Map<string, number>): CommittedEvent[][] {
    const touched = new Set<string>();
    // Rows wait here as flat statement arguments (conversation, id, json…) until a chunk is full.
    const rows: Array<string | number> = [];
    const stored: CommittedEvent[][] = [];
    for (const item of batch) {
      const conversationId = item.conversationId;
      let next = reserved.get(conversationId) ?? this.nextId(conversationId);
      const itemEvents: CommittedEvent[] = [];
      for (const event of item.events) itemEvents.push(this.serialize({ id: next++, timestamp, ...event } as StoredEvent));
      if (item.answer) {
        const cause = next - 1;
        itemEvents.push(this.serialize({ id: next++, timestamp, ...item.answer, cause } as StoredEvent));
      }
      for (const committed of itemEvents) {
        rows.push(conversationId, committed.event.id, committed.json);
        if (rows.length === 3 * INSERT_CHUNK) this.insertEvents.run(...rows.splice(0));
      }
      reserved.set(conversationId, next);
      touched.add(conversationId);
      stored.push(itemEvents);
    }
    for (let i = 0; i < rows.length; i += 3) this.insertEvent.run(rows[i] as string, rows[i + 1] as number, rows[i + 2] as string);
    const now = Date.now();
    for (const id of touched) {
      // last_activity_at only orders the conversation list: once a second per conversation is enough,
      // and it keeps an index update off most commits.
      if (now - (this.lastTouched.get(id) ?? 0) < TOUCH_EVERY_MS) continue;
      this.touchConversation.run(timestamp, id);
      this.lastTouched.set(id, now);
    }
    return stored;
  }

  /** The event's wire JSON, secrets masked (the stored event is re-read from it when a secret was). */
  private serialize(event: StoredEvent): CommittedEvent {
    const plain = toWireJson(event);
    const json = this.options.redactJson ? this.options.redactJson(plain) : plain;
    return { event: json === plain ? event : fromWireJson(json), json };
  }

  private nextId(conversationId: string): number {
    const known = this.nextIds.get(conversationId);
    if (known !== undefined) return known;
    const next = this.latestIdFromDb(conversationId) + 1;
    this.nextIds.set(conversationId, next);
    return next;
  }

  private latestIdFromDb(conversationId: string): number {
    const row = this.maxId.get({ c: conversationId }) as { max: number | null } | undefined;
    return row?.max ?? -1;
  }

  read(conversationId: string, range: EventRange = {}): StoredEvent[] {
    const conditions = [eq(events.conversationId, conversationId), gte(events.id, range.startId ?? 0)];
    if (range.endId !== undefined) conditions.push(lte(events.id, range.endId));
    return this.db
      .select({ json: events.json })
      .from(events)
      .where(and(...conditions))
      .orderBy(range.reverse ? desc(events.id) : asc(events.id))
      .limit(range.limit ?? 100)
      .all()
      .map((row) => fromWireJson(row.json));
  }

  readJsonAfter(conversationId: string, afterId: number, limit = -1): Array<{ id: number; json: string }> {
    return this.jsonAfter.all(conversationId, afterId, limit);
  }

  latestId(conversationId: string): number {
    const known = this.nextIds.get(conversationId);
    if (known !== undefined) return known - 1;
    return this.latestIdFromDb(conversationId);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.checkpointer?.close();
    this.db.$client.close();
  }
}

function toRow(record: ConversationRecord): ConversationRow {
  return {
    id: record.conversation_id,
    title: record.title,
    agentState: record.agent_state,
    runtime: record.runtime,
    confirmationMode: record.confirmation_mode,
    workspace: record.workspace,
    settings: JSON.stringify(record.settings ?? {}),
    createdAt: record.created_at,
    lastActivityAt: record.last_activity_at,
  };
}

function fromRow(row: ConversationRow): ConversationRecord {
  return {
    conversation_id: row.id,
    title: row.title,
    agent_state: row.agentState,
    runtime: row.runtime,
    confirmation_mode: row.confirmationMode,
    workspace: row.workspace,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    created_at: row.createdAt,
    last_activity_at: row.lastActivityAt,
  };
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString("base64url");
}

function decodeCursor(pageId: string): { at: string; id: string } | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(pageId, "base64url").toString()) as [unknown, unknown];
    return typeof at === "string" && typeof id === "string" ? { at, id } : undefined;
  } catch {
    return undefined;
  }
}
