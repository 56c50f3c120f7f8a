import type { NewEvent, NewObservationEvent, StoredEvent } from "./schema.ts";

/** A stored event with the exact JSON that was written and is sent on the wire. */
export type CommittedEvent = { event: StoredEvent; json: string };

/** A conversation as stored. */
export type ConversationRecord = {
  conversation_id: string;
  title: string;
  agent_state: string;
  runtime: string;
  created_at: string;
  last_activity_at: string;
  confirmation_mode: boolean;
  /** Host folder of the workspace. */
  workspace: string;
  /** Free-form settings the conversation was initialized with (model, agent_cls, usage…). */
  settings: Record<string, unknown>;
};

export type EventRange = {
  startId?: number;
  endId?: number;
  limit?: number;
  reverse?: boolean;
};

/**
 * The one interface the rest of the server uses for persistence, so another backend (Postgres) can replace
 * the SQLite one without touching callers.
 */
export interface EventStore {
  createConversation(record: ConversationRecord): void;
  getConversation(id: string): ConversationRecord | undefined;
  /** Newest activity first; `after` is an opaque page id from a previous call. */
  listConversations(limit: number, after?: string): { results: ConversationRecord[]; nextPageId: string | null };
  updateConversation(id: string, patch: Partial<Omit<ConversationRecord, "conversation_id">>): void;
  deleteConversation(id: string): void;
  countConversations(): number;
  /** Ids of the conversations whose agent is in one of these states. */
  conversationIdsInState(states: readonly string[]): string[];
  /**
   * Stores events; ids are assigned here, contiguous per conversation. Resolves after the commit with each
   * event and its wire JSON (serialized once, for both the row and the publish). An `answer` is stored in
   * the same commit right after them, its `cause` set to the id of the last one: an action and its
   * observation in one write when the observation needs no I/O.
   */
  append(conversationId: string, events: NewEvent[], answer?: NewObservationEvent): Promise<CommittedEvent[]>;
  /** Stored events of a range, ascending unless `reverse`. */
  read(conversationId: string, range?: EventRange): StoredEvent[];
  /** The wire JSON of every event with id > afterId, ascending: replay without re-serializing. */
  readJsonAfter(conversationId: string, afterId: number, limit?: number): Array<{ id: number; json: string }>;
  /** The newest event id, -1 when none. */
  latestId(conversationId: string): number;
  countEvents(): number;
  close(): void;
}
