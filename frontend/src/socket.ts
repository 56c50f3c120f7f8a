import { parseServerFrame, type ClientAction, type StoredEvent } from "./wire.ts";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "not_found";

export type SocketHandlers = {
  onEvent(event: StoredEvent): void;
  onStatus(status: ConnectionStatus): void;
  /** Error frames and status messages of the server, for a notice line. */
  onNotice(notice: { level: "info" | "error"; text: string; code?: string }): void;
};

export type SocketOptions = {
  conversationId: string;
  /** The highest event id the client already has (-1 when none): sent as latest_event_id. */
  latestEventId(): number;
  apiKey(): string | null;
  /** Called before every reconnect: "not_found" stops for good, "offline" waits longer. */
  probe(): Promise<"ok" | "not_found" | "offline">;
  handlers: SocketHandlers;
};

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
const MAX_QUEUED = 100;
/** Close code of the server for an unknown conversation id (PROTOCOL.md). */
const CLOSE_NOT_FOUND = 4404;

export function socketUrl(location: Location, conversationId: string, latestEventId: number, apiKey: string | null): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const params = new URLSearchParams({ conversation_id: conversationId, latest_event_id: String(latestEventId) });
  if (apiKey) params.set("session_api_key", apiKey);
  return `${scheme}//${location.host}/ws?${params}`;
}

/** Backoff with jitter: 0.5 s, 1 s, 2 s … capped at 10 s. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return base * (0.8 + Math.random() * 0.4);
}

/**
 * One conversation's WebSocket that keeps itself connected: on every (re)connect it asks the server
 * for the events after the highest id it has, so nothing is missed and nothing comes twice.
 */
export class ConversationSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private queue: string[] = [];

  constructor(private readonly options: SocketOptions) {
    window.addEventListener("online", this.reconnectNow);
  }

  start(): void {
    this.open("connecting");
  }

  /** Sends an action now, or as soon as the socket is open again. */
  send(action: ClientAction): void {
    const text = JSON.stringify(action);
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(text);
      return;
    }
    if (this.queue.length >= MAX_QUEUED) this.queue.shift();
    this.queue.push(text);
  }

  close(): void {
    this.stopped = true;
    window.removeEventListener("online", this.reconnectNow);
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close(1000, "client closed");
    this.socket = null;
  }

  private readonly reconnectNow = (): void => {
    if (this.stopped || this.socket) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.open("reconnecting");
  };

  private open(status: ConnectionStatus): void {
    const { conversationId, handlers } = this.options;
    handlers.onStatus(status);
    const socket = new WebSocket(socketUrl(window.location, conversationId, this.options.latestEventId(), this.options.apiKey()));
    this.socket = socket;
    socket.onmessage = (message) => {
      if (typeof message.data !== "string") return;
      this.handleFrame(message.data);
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (close.code === CLOSE_NOT_FOUND) {
        this.stopped = true;
        handlers.onStatus("not_found");
        return;
      }
      this.scheduleReconnect();
    };
  }

  private handleFrame(text: string): void {
    const { handlers } = this.options;
    const frame = parseServerFrame(text);
    switch (frame.kind) {
      case "connected":
        this.attempt = 0;
        handlers.onStatus("connected");
        this.flushQueue();
        return;
      case "event":
        handlers.onEvent(frame.event);
        return;
      case "status":
        handlers.onNotice({ level: frame.level, text: frame.message });
        return;
      case "error":
        handlers.onNotice({ level: "error", text: frame.error, code: frame.code });
        return;
      case "invalid":
        console.warn(`bunhands: ignored a frame the protocol does not describe (${frame.reason})`);
        return;
    }
  }

  private flushQueue(): void {
    const queued = this.queue;
    this.queue = [];
    for (const text of queued) this.socket?.send(text);
  }

  private scheduleReconnect(): void {
    this.options.handlers.onStatus("reconnecting");
    const delay = reconnectDelay(this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(async () => {
      this.timer = null;
      if (this.stopped) return;
      // A failed upgrade (401, 404) shows up as a bare close: ask over HTTP why, which
      // also prompts for the key when that is the cause.
      const probe = await this.options.probe();
      if (this.stopped) return;
      if (probe === "not_found") {
        this.stopped = true;
        this.options.handlers.onStatus("not_found");
        return;
      }
      if (probe === "offline") {
        this.scheduleReconnect();
        return;
      }
      this.open("reconnecting");
    }, delay);
  }
}
