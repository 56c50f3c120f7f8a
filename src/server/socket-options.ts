import type { WebSocketHandler } from "bun";
import { MAX_FRAME_BYTES } from "../events/frame-limit.ts";

/** Bun's settings for every WebSocket: they are fixed when the server starts listening, before its handlers load. */
export const SOCKET_OPTIONS = {
  // Frames over MAX_FRAME_BYTES get an error frame from the session; far larger ones are cut off by Bun.
  maxPayloadLength: 16 * MAX_FRAME_BYTES,
  // A live client that falls 16 MiB behind is disconnected rather than silently missing frames; it
  // reconnects with latest_event_id and gets the rest by replay.
  backpressureLimit: 16 * 1024 * 1024,
  closeOnBackpressureLimit: true,
  idleTimeout: 120,
  sendPings: true,
} satisfies Omit<WebSocketHandler<unknown>, "message">;
