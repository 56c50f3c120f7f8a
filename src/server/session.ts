import type { ServerWebSocket } from "bun";
import { parseClientFrame, type ErrorCode } from "../events/client-message.ts";
import { MAX_FRAME_BYTES } from "../events/frame-limit.ts";
import { log } from "../log.ts";
import type { AgentSession } from "./agent-session.ts";
import type { ConversationManager } from "./conversation-manager.ts";
import { dispatchClientMessage } from "./dispatch.ts";
import { ConversationError } from "./errors.ts";

/** What the upgrade request asked for. */
export type JoinRequest = {
  conversationId?: string;
  latestEventId: number;
  remoteAddress: string;
};

export type SocketData = { request: JoinRequest; session?: Session };

export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_TRY_AGAIN = 1013;

/** Stored events read and sent per step of a replay. */
const REPLAY_PAGE = 500;

/**
 * One client's WebSocket connection (the seed's Session): it joins or creates a conversation, replays what
 * the client missed, subscribes it to the conversation's topic, and turns its frames into actions.
 */
export class Session {
  agentSession?: AgentSession;
  private closed = false;
  /**
   * Messages of one connection take effect in the order they came. Actions are enqueued in the store
   * synchronously, so they need no waiting; only joining, initialize and start must finish before the next
   * message: while one of those runs, later messages wait behind it.
   */
  private barrier: Promise<void> | null = null;
  private drained?: () => void;

  constructor(
    private readonly ws: ServerWebSocket<SocketData>,
    private readonly manager: ConversationManager,
    private readonly allowFrame: () => boolean,
  ) {}

  get conversationId(): string | undefined {
    return this.agentSession?.conversationId;
  }

  /** Joins (or creates) the conversation; frames that arrive meanwhile wait for it. */
  connect(): void {
    this.hold(this.join());
  }

  /** A frame from the client. */
  receive(message: string | Buffer): void {
    if (!this.allowFrame()) return this.sendError("rate_limited", "too many messages on this connection; slow down");
    // A string's UTF-8 size is at most 3 bytes per UTF-16 unit: only a long one needs counting.
    const size = typeof message === "string" ? (message.length * 3 > MAX_FRAME_BYTES ? Buffer.byteLength(message) : message.length) : message.byteLength;
    if (size > MAX_FRAME_BYTES) return this.sendError("too_large", `the message is ${size} bytes, over the ${MAX_FRAME_BYTES}-byte limit`);
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    if (this.barrier) return this.hold(this.barrier.then(() => this.handle(text)));
    const pending = this.handle(text);
    if (pending) this.hold(pending);
  }

  sendError(code: ErrorCode, error: string): void {
    this.ws.send(JSON.stringify({ error, code }));
  }

  /** The socket can take more (Bun's drain): a replay waiting on it goes on. */
  drain(): void {
    const resume = this.drained;
    this.drained = undefined;
    resume?.();
  }

  disconnect(code: number): void {
    this.closed = true;
    this.drain();
    if (this.conversationId) this.manager.removeClient(this.conversationId);
    log.info("client left", { conversation_id: this.conversationId, code });
  }

  private hold(work: Promise<void>): void {
    const barrier: Promise<void> = work.finally(() => {
      if (this.barrier === barrier) this.barrier = null;
    });
    this.barrier = barrier;
  }

  private async join(): Promise<void> {
    const { request } = this.ws.data;
    let agentSession: AgentSession;
    try {
      agentSession = request.conversationId
        ? await this.manager.addClient(request.conversationId)
        : await this.manager.create().then((s) => this.manager.addClient(s.conversationId));
    } catch (error) {
      if (error instanceof ConversationError) {
        this.sendError(error.code, error.message);
        this.ws.close(error.code === "not_found" ? CLOSE_NOT_FOUND : CLOSE_TRY_AGAIN, error.code);
        return;
      }
      log.error("could not open a conversation", { error: String(error) });
      this.sendError("internal", "the conversation could not be opened");
      this.ws.close(1011, "internal");
      return;
    }
    if (this.closed) return this.manager.removeClient(agentSession.conversationId);
    this.agentSession = agentSession;
    this.ws.send(JSON.stringify({ status_update: true, type: "connected", conversation_id: agentSession.conversationId, latest_event_id: agentSession.stream.latestId() }));
    const replayed = await this.replay(agentSession, request.latestEventId);
    log.info("client joined", { conversation_id: agentSession.conversationId, remote: request.remoteAddress, replayed });
  }

  /**
   * Sends the stored events after the client's latest_event_id, a page at a time, waiting for the socket to
   * drain whenever it pushes back (a slow client gets every event, late rather than never). The topic is
   * subscribed in the same synchronous step as the read that finds nothing more: no event can be published
   * in between, so there is neither a gap nor a duplicate between the replayed and the live events.
   */
  private async replay(agentSession: AgentSession, afterId: number): Promise<number> {
    let last = afterId;
    let count = 0;
    while (!this.closed) {
      const page = this.manager.storedEventsAfter(agentSession.conversationId, last, REPLAY_PAGE);
      if (page.length === 0) {
        this.ws.subscribe(agentSession.stream.topic);
        break;
      }
      let pushedBack = false;
      this.ws.cork(() => {
        for (const event of page) {
          const sent = this.ws.send(event.json);
          if (sent === 0) break; // dropped: sent again after the drain
          last = event.id;
          count++;
          if (sent === -1) {
            pushedBack = true;
            break;
          }
        }
      });
      if (pushedBack || last !== page[page.length - 1]?.id) await new Promise<void>((resolve) => (this.drained = resolve));
    }
    return count;
  }

  /** Handles one frame; returns a promise only when later frames must wait for it. */
  private handle(text: string): Promise<void> | undefined {
    const agentSession = this.agentSession;
    if (!agentSession) return void this.sendError("busy", "the conversation could not be opened");
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      log.info("bad frame", { conversation_id: this.conversationId, code: parsed.error.code });
      return void this.sendError(parsed.error.code, parsed.error.error);
    }
    const done = dispatchClientMessage(agentSession, parsed.message).then(
      () => {},
      (error) => this.reportFailure(error),
    );
    return parsed.message.kind === "action" ? undefined : done;
  }

  private reportFailure(error: unknown): void {
    if (error instanceof ConversationError) return this.sendError(error.code, error.message);
    log.error("message failed", { conversation_id: this.conversationId, error: String(error) });
    this.sendError("internal", `the message could not be handled: ${error instanceof Error ? error.message : String(error)}`);
  }
}
