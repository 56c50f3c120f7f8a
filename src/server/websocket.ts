import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { z } from "zod";
import type { ErrorFrame } from "../events/client-message.ts";
import { MAX_FRAME_BYTES } from "../events/frame-limit.ts";
import type { ConversationManager } from "./conversation-manager.ts";
import type { Metrics } from "./metrics.ts";
import { Session, type SocketData } from "./session.ts";

export type { SocketData } from "./session.ts";

export type SocketDeps = {
  manager: ConversationManager;
  metrics: Metrics;
  /** Returns an error response when the upgrade request is not authorized. */
  authorize: (request: Request) => Response | undefined;
  /** Why a browser page's Origin may not open a socket, or undefined when it may (middleware/websocket-origin.ts). */
  refuseOrigin: (request: Request) => string | undefined;
  /** A fresh frame rate limiter (token bucket) for a new connection. */
  frameLimiter: () => () => boolean;
  /** Open sockets, so a shutdown can tell each one (close code 1001). */
  sockets: Set<ServerWebSocket<SocketData>>;
};

const querySchema = z.object({
  conversation_id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a conversation id").optional(),
  latest_event_id: z.coerce.number().int().min(-1).default(-1),
});

function jsonResponse(status: number, body: ErrorFrame): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** Upgrades GET /ws; returns a Response when the request is refused (or not an upgrade). */
export function upgradeSocket(request: Request, server: Server<SocketData>, deps: SocketDeps): Response | undefined {
  const foreign = deps.refuseOrigin(request);
  if (foreign) return jsonResponse(403, { error: foreign, code: "unauthorized" });
  const refused = deps.authorize(request);
  if (refused) return refused;
  const url = new URL(request.url);
  const query = querySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) return jsonResponse(400, { error: `invalid query: ${query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, code: "invalid_args" });
  const data: SocketData = {
    request: { conversationId: query.data.conversation_id, latestEventId: query.data.latest_event_id, remoteAddress: server.requestIP(request)?.address ?? "unknown" },
  };
  if (server.upgrade(request, { data })) return undefined;
  return jsonResponse(400, { error: "this endpoint needs a WebSocket upgrade", code: "invalid_message" });
}

/** Bun's websocket handlers: each connection is a Session (Bun's pub/sub topics carry the live events). */
export function socketHandlers(deps: SocketDeps): WebSocketHandler<SocketData> {
  return {
    maxPayloadLength: 16 * MAX_FRAME_BYTES,
    // A live client that falls 16 MiB behind is disconnected rather than silently missing frames; it
    // reconnects with latest_event_id and gets the rest by replay.
    backpressureLimit: 16 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    idleTimeout: 120,
    sendPings: true,
    open(ws) {
      deps.metrics.openConnections++;
      deps.sockets.add(ws);
      ws.data.session = new Session(ws, deps.manager, deps.frameLimiter());
      ws.data.session.connect();
    },
    message(ws, message) {
      ws.data.session?.receive(message);
    },
    drain(ws) {
      ws.data.session?.drain();
    },
    close(ws, code) {
      deps.metrics.openConnections--;
      deps.sockets.delete(ws);
      ws.data.session?.disconnect(code);
    },
  };
}
