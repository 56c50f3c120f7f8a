import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { z } from "zod";
import { MAX_FRAME_BYTES, parseClientFrame, type ErrorCode, type ErrorFrame } from "../events/client-message.ts";
import { log } from "../log.ts";
import type { AgentSession } from "./agent-session.ts";
import { ConversationError, type ConversationManager } from "./conversation-manager.ts";
import { dispatchClientMessage } from "./dispatch.ts";
import type { Metrics } from "./metrics.ts";

export type SocketData = {
  requestedConversationId?: string;
  latestEventId: number;
  remoteAddress: string;
  conversationId?: string;
  session?: AgentSession;
  /**
   * Messages of one connection take effect in the order they came. Actions are enqueued in the store
   * synchronously, so they need no waiting; only initialize, start and joining must finish before the
   * next message: while one of those runs, later messages wait behind it.
   */
  barrier: Promise<void> | null;
  /** Token bucket for frames (rate limit); null when unlimited. */
  allowFrame: () => boolean;
  closed: boolean;
  /** Resolves a replay that waits for the socket to drain. */
  drained?: () => void;
};

/** Stored events read and sent per step of a replay. */
const REPLAY_PAGE = 500;

export type SocketDeps = {
  manager: ConversationManager;
  metrics: Metrics;
  /** Returns an error response when the upgrade request is not authorized. */
  authorize: (request: Request) => Response | undefined;
  frameLimiter: () => () => boolean;
  /** Open sockets, so a shutdown can tell each one (close code 1001). */
  sockets: Set<ServerWebSocket<SocketData>>;
};

const querySchema = z.object({
  conversation_id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a conversation id").optional(),
  latest_event_id: z.coerce.number().int().min(-1).default(-1),
});

export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_TRY_AGAIN = 1013;

function jsonResponse(status: number, body: ErrorFrame): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** Upgrades GET /ws; returns a Response when the request is refused (or not an upgrade). */
export function upgradeSocket(request: Request, server: Server<SocketData>, deps: SocketDeps): Response | undefined {
  const refused = deps.authorize(request);
  if (refused) return refused;
  const url = new URL(request.url);
  const query = querySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) return jsonResponse(400, { error: `invalid query: ${query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, code: "invalid_args" });
  const data: SocketData = {
    requestedConversationId: query.data.conversation_id,
    latestEventId: query.data.latest_event_id,
    remoteAddress: server.requestIP(request)?.address ?? "unknown",
    barrier: null,
    allowFrame: deps.frameLimiter(),
    closed: false,
  };
  if (server.upgrade(request, { data })) return undefined;
  return jsonResponse(400, { error: "this endpoint needs a WebSocket upgrade", code: "invalid_message" });
}

function sendError(ws: ServerWebSocket<SocketData>, code: ErrorCode, error: string): void {
  ws.send(JSON.stringify({ error, code }));
}

/** Bun's websocket handlers: join or create, replay, subscribe to the conversation's topic, then serve frames. */
export function socketHandlers(deps: SocketDeps): WebSocketHandler<SocketData> {
  const { manager, metrics } = deps;

  const join = async (ws: ServerWebSocket<SocketData>) => {
    const data = ws.data;
    let session: AgentSession;
    try {
      session = data.requestedConversationId ? await manager.addClient(data.requestedConversationId) : await manager.create().then((s) => manager.addClient(s.conversationId));
    } catch (error) {
      if (error instanceof ConversationError) {
        sendError(ws, error.code, error.message);
        ws.close(error.code === "not_found" ? CLOSE_NOT_FOUND : CLOSE_TRY_AGAIN, error.code);
        return;
      }
      log.error("could not open a conversation", { error: String(error) });
      sendError(ws, "internal", "the conversation could not be opened");
      ws.close(1011, "internal");
      return;
    }
    if (data.closed) return manager.removeClient(session.conversationId);
    data.session = session;
    data.conversationId = session.conversationId;
    ws.send(JSON.stringify({ status_update: true, type: "connected", conversation_id: session.conversationId, latest_event_id: session.stream.latestId() }));
    const replayed = await replay(ws, session);
    log.info("client joined", { conversation_id: session.conversationId, remote: data.remoteAddress, replayed });
  };

  /**
   * Sends the stored events after the client's latest_event_id, a page at a time, waiting for the socket to
   * drain whenever it pushes back (a slow client gets every event, late rather than never). The topic is
   * subscribed in the same synchronous step as the read that finds nothing more: no event can be published
   * in between, so there is neither a gap nor a duplicate between the replayed and the live events.
   */
  const replay = async (ws: ServerWebSocket<SocketData>, session: AgentSession): Promise<number> => {
    let last = ws.data.latestEventId;
    let count = 0;
    while (!ws.data.closed) {
      const page = manager.storedEventsAfter(session.conversationId, last, REPLAY_PAGE);
      if (page.length === 0) {
        ws.subscribe(session.stream.topic);
        break;
      }
      let pushedBack = false;
      ws.cork(() => {
        for (const event of page) {
          const sent = ws.send(event.json);
          if (sent === 0) break; // dropped: send it again after the drain
          last = event.id;
          count++;
          if (sent === -1) {
            pushedBack = true;
            break;
          }
        }
      });
      if (pushedBack || last !== page[page.length - 1]?.id) await waitForDrain(ws);
    }
    return count;
  };

  const waitForDrain = (ws: ServerWebSocket<SocketData>) =>
    new Promise<void>((resolve) => {
      ws.data.drained = resolve;
    });

  const reportFailure = (ws: ServerWebSocket<SocketData>, error: unknown) => {
    if (error instanceof ConversationError) return sendError(ws, error.code, error.message);
    log.error("message failed", { conversation_id: ws.data.conversationId, error: String(error) });
    sendError(ws, "internal", `the message could not be handled: ${error instanceof Error ? error.message : String(error)}`);
  };

  /** Handles one frame; returns a promise only when later frames must wait for it. */
  const handleFrame = (ws: ServerWebSocket<SocketData>, text: string): Promise<void> | undefined => {
    const session = ws.data.session;
    if (!session) return void sendError(ws, "busy", "the conversation could not be opened");
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      log.info("bad frame", { conversation_id: ws.data.conversationId, code: parsed.error.code });
      return void sendError(ws, parsed.error.code, parsed.error.error);
    }
    const done = dispatchClientMessage(session, parsed.message).then(
      () => {},
      (error) => reportFailure(ws, error),
    );
    return parsed.message.kind === "action" ? undefined : done;
  };

  const enqueue = (ws: ServerWebSocket<SocketData>, text: string) => {
    const data = ws.data;
    if (data.barrier) {
      const barrier: Promise<void> = data.barrier.then(() => handleFrame(ws, text)).finally(() => {
        if (data.barrier === barrier) data.barrier = null;
      });
      data.barrier = barrier;
      return;
    }
    const pending = handleFrame(ws, text);
    if (!pending) return;
    const barrier: Promise<void> = pending.finally(() => {
      if (data.barrier === barrier) data.barrier = null;
    });
    data.barrier = barrier;
  };

  return {
    maxPayloadLength: 16 * MAX_FRAME_BYTES,
    // A live client that falls 16 MiB behind is disconnected rather than silently missing frames; it
    // reconnects with latest_event_id and gets the rest by replay.
    backpressureLimit: 16 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    drain(ws) {
      const resume = ws.data.drained;
      ws.data.drained = undefined;
      resume?.();
    },
    idleTimeout: 120,
    sendPings: true,
    open(ws) {
      metrics.openConnections++;
      deps.sockets.add(ws);
      const joined: Promise<void> = join(ws).finally(() => {
        if (ws.data.barrier === joined) ws.data.barrier = null;
      });
      ws.data.barrier = joined;
    },
    message(ws, message) {
      if (!ws.data.allowFrame()) return sendError(ws, "rate_limited", "too many messages on this connection; slow down");
      // A string's UTF-8 size is at most 3 bytes per UTF-16 unit: only a long one needs counting.
      const size = typeof message === "string" ? (message.length * 3 > MAX_FRAME_BYTES ? Buffer.byteLength(message) : message.length) : message.byteLength;
      if (size > MAX_FRAME_BYTES) return sendError(ws, "too_large", `the message is ${size} bytes, over the ${MAX_FRAME_BYTES}-byte limit`);
      const text = typeof message === "string" ? message : new TextDecoder().decode(message);
      enqueue(ws, text);
    },
    close(ws, code) {
      metrics.openConnections--;
      ws.data.drained?.();
      deps.sockets.delete(ws);
      ws.data.closed = true;
      if (ws.data.conversationId) manager.removeClient(ws.data.conversationId);
      log.info("client left", { conversation_id: ws.data.conversationId, code });
    },
  };
}
