import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { ConversationRecord, EventStore } from "../events/store.ts";
import { conversationTopic, EventStream, type Publisher } from "../events/stream.ts";
import { log } from "../log.ts";
import { AgentSession } from "./agent-session.ts";
import type { RiskRater } from "./confirmation-gate.ts";
import type { Metrics } from "./metrics.ts";
import { conversationWorkspace } from "./workspace.ts";
import { ConversationError } from "./errors.ts";

export type ConversationManagerDeps = {
  config: Config;
  store: EventStore;
  metrics: Metrics;
  publish: Publisher;
  rate: RiskRater;
};

export type NewConversation = { title?: string; runtime?: "docker" | "local"; confirmation_mode?: boolean; directory?: string };

type Live = { session: Promise<AgentSession>; clients: number; idleSince: number };

/**
 * Owns the live conversations: creates and loads them, counts their clients, bounds how many are live
 * (MAX_CONVERSATIONS), and closes the ones with no client and no work after CONVERSATION_IDLE_S.
 */
export class ConversationManager {
  private readonly live = new Map<string, Live>();
  private readonly sweeper: Timer;

  constructor(private readonly deps: ConversationManagerDeps) {
    const sweepEveryMs = Math.min(60_000, Math.max(50, (deps.config.CONVERSATION_IDLE_S * 1000) / 4));
    this.sweeper = setInterval(() => void this.cleanup(), sweepEveryMs);
    this.sweeper.unref();
  }

  get liveCount(): number {
    return this.live.size;
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** Stores a new conversation (it can be listed and joined at once) and makes it live. */
  async create(options: NewConversation = {}): Promise<AgentSession> {
    this.ensureCapacity();
    const { config, store } = this.deps;
    const id = crypto.randomUUID().replaceAll("-", "");
    const now = new Date().toISOString();
    const record: ConversationRecord = {
      conversation_id: id,
      title: options.title ?? "",
      agent_state: "awaiting_user_input",
      runtime: options.runtime ?? config.RUNTIME,
      created_at: now,
      last_activity_at: now,
      confirmation_mode: options.confirmation_mode ?? config.CONFIRMATION_MODE,
      workspace: this.workspaceFor(id, options.directory),
      settings: {},
    };
    store.createConversation(record);
    log.info("conversation created", { conversation_id: id });
    return this.get(id);
  }

  /** The live session of a stored conversation, loading it when needed. */
  async get(id: string): Promise<AgentSession> {
    const existing = this.live.get(id);
    if (existing) return existing.session;
    const record = this.deps.store.getConversation(id);
    if (!record) throw new ConversationError("not_found", `conversation ${id} does not exist`);
    this.ensureCapacity();
    const stream = new EventStream(id, this.deps.store, this.deps.publish);
    stream.subscribe(() => this.deps.metrics.eventsStored++);
    const session = AgentSession.open(record, { ...this.deps, stream });
    const entry: Live = { session, clients: 0, idleSince: Date.now() };
    this.live.set(id, entry);
    session.catch(() => this.live.delete(id));
    return session;
  }

  /** Conversations whose agent was working when the server stopped. */
  workingIds(): string[] {
    return this.deps.store.conversationIdsInState(["running", "rate_limited", "loading", "awaiting_user_confirmation"]);
  }

  /** Loads the conversations whose agent was working when the server stopped, so that they go on. */
  async resumeWorking(ids = this.workingIds()): Promise<string[]> {
    for (const id of ids) {
      await this.get(id).catch((error) => log.error("could not resume a conversation", { conversation_id: id, error: String(error) }));
    }
    if (ids.length) log.info("resumed conversations", { count: ids.length });
    return ids;
  }

  /** Stored events after an id, as wire JSON (replay). */
  storedEventsAfter(id: string, afterId: number, limit?: number): Array<{ id: number; json: string }> {
    return this.deps.store.readJsonAfter(id, afterId, limit);
  }

  /** Sends a frame that is not stored (a status line, say) to every client of a conversation (the seed's send_message). */
  send(id: string, frame: Record<string, unknown>): void {
    this.deps.publish(conversationTopic(id), JSON.stringify(frame));
  }

  /** Adds a client to a conversation (the seed's add_conversation). */
  async addClient(id: string): Promise<AgentSession> {
    const session = await this.get(id);
    const entry = this.live.get(id);
    if (entry) entry.clients++;
    return session;
  }

  removeClient(id: string): void {
    const entry = this.live.get(id);
    if (!entry) return;
    entry.clients = Math.max(0, entry.clients - 1);
    if (entry.clients === 0) entry.idleSince = Date.now();
  }

  /** Closes a live session and loads it again from the store (the seed's restart_conversation). */
  async restart(id: string): Promise<AgentSession> {
    const entry = this.live.get(id);
    const clients = entry?.clients ?? 0;
    await this.close(id);
    const session = await this.get(id);
    const fresh = this.live.get(id);
    if (fresh) fresh.clients = clients;
    return session;
  }

  /** Closes a live session; its events stay stored and it can be joined again. */
  async close(id: string): Promise<void> {
    const entry = this.live.get(id);
    if (!entry) return;
    this.live.delete(id);
    const session = await entry.session.catch(() => undefined);
    await session?.close();
    log.info("conversation closed", { conversation_id: id });
  }

  /** Deletes a conversation: its sandbox, its events and (unless kept) its workspace. */
  async delete(id: string, options: { keepWorkspace?: boolean } = {}): Promise<void> {
    const record = this.deps.store.getConversation(id);
    if (!record) throw new ConversationError("not_found", `conversation ${id} does not exist`);
    await this.close(id);
    this.deps.store.deleteConversation(id);
    if (!options.keepWorkspace && record.workspace === join(this.deps.config.WORKSPACE_BASE, id)) await rm(record.workspace, { recursive: true, force: true });
  }

  /** Closes conversations that have had no client and no work for CONVERSATION_IDLE_S (the seed's cleanup). */
  async cleanup(now = Date.now()): Promise<void> {
    const idleMs = this.deps.config.CONVERSATION_IDLE_S * 1000;
    for (const [id, entry] of this.live) {
      if (entry.clients > 0) continue;
      const session = await entry.session.catch(() => undefined);
      if (session?.active) {
        entry.idleSince = now;
        continue;
      }
      if (now - entry.idleSince >= idleMs) await this.close(id);
    }
  }

  /** Waits (at most graceMs) until no live conversation has work in flight. */
  async drain(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      const sessions = await Promise.all([...this.live.values()].map((entry) => entry.session.catch(() => undefined)));
      if (!sessions.some((session) => session?.busyWithCommand)) return;
      await Bun.sleep(50);
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.live.keys()].map((id) => this.close(id)));
  }

  private ensureCapacity(): void {
    if (this.live.size >= this.deps.config.MAX_CONVERSATIONS)
      throw new ConversationError("busy", `the server already runs ${this.live.size} live conversations (MAX_CONVERSATIONS); close one or try again later`);
  }

  private workspaceFor(id: string, directory?: string): string {
    try {
      return conversationWorkspace(this.deps.config.WORKSPACE_BASE, id, directory);
    } catch (error) {
      throw new ConversationError("invalid_args", (error as Error).message);
    }
  }

}
