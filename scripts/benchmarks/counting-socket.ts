/**
 * A minimal WebSocket client over Bun.connect that only counts the frames it receives. The WebSocket API
 * dispatches an event per frame, which caps a client near 200k frames/s; counting frame headers in the
 * raw bytes lets one process take the ~1M frames/s a server can deliver, so fan-out measures the server.
 */
import type { Socket } from "bun";

export type CountingSocket = {
  /** Frames received so far (after the upgrade). */
  readonly count: number;
  /** The payload of the last text frame received. */
  lastText(): string;
  /** Called after each chunk of frames with the new count. */
  onCount: ((count: number) => void) | null;
  send(text: string): void;
  close(): void;
};

type State = { handshake: boolean; buffer: Uint8Array; count: number; last: Uint8Array; upgraded: (() => void) | null; failed: ((error: Error) => void) | null };

/** Connects to ws://127.0.0.1:PORT/PATH and resolves once the upgrade is answered. */
export function countingSocket(port: number, path: string): Promise<CountingSocket> {
  const state: State = { handshake: false, buffer: new Uint8Array(0), count: 0, last: new Uint8Array(0), upgraded: null, failed: null };
  let handle: CountingSocket;
  const ready = new Promise<void>((resolve, reject) => {
    state.upgraded = resolve;
    state.failed = reject;
  });
  const connecting = Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(socket) {
        const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      },
      data(_socket, chunk) {
        // The chunk is used in place; only an incomplete tail is ever copied.
        let bytes: Uint8Array = state.buffer.length ? concat(state.buffer, chunk) : chunk;
        if (!state.handshake) {
          const end = findHeaderEnd(bytes);
          if (end < 0) return void (state.buffer = bytes);
          const head = new TextDecoder().decode(bytes.subarray(0, end));
          if (!head.startsWith("HTTP/1.1 101")) return state.failed?.(new Error(`upgrade refused: ${head.split("\r\n")[0]}`));
          state.handshake = true;
          state.upgraded?.();
          bytes = bytes.subarray(end + 4);
        }
        const before = state.count;
        state.buffer = countFrames(bytes, state);
        if (state.count !== before) handle?.onCount?.(state.count);
      },
      close() {
        state.failed?.(new Error("connection closed"));
      },
      error(_socket, error) {
        state.failed?.(error);
      },
    },
  });
  return connecting.then(async (socket: Socket) => {
    await ready;
    handle = {
      get count() {
        return state.count;
      },
      lastText: () => new TextDecoder().decode(state.last),
      onCount: null,
      send: (text) => void socket.write(maskedTextFrame(text)),
      close: () => socket.end(),
    };
    return handle;
  });
}

/** Counts complete frames in `bytes`; returns the incomplete tail to keep. */
function countFrames(bytes: Uint8Array, state: State): Uint8Array {
  let offset = 0;
  let lastAt = -1;
  let lastLength = 0;
  for (;;) {
    if (bytes.length - offset < 2) break;
    const second = bytes[offset + 1] as number;
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      if (bytes.length - offset < 4) break;
      length = ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number);
      header = 4;
    } else if (length === 127) {
      if (bytes.length - offset < 10) break;
      length = Number(new DataView(bytes.buffer, bytes.byteOffset + offset + 2, 8).getBigUint64(0));
      header = 10;
    }
    if (bytes.length - offset < header + length) break;
    const opcode = (bytes[offset] as number) & 0x0f;
    if (opcode === 1 || opcode === 2) state.count++;
    if (opcode === 1) lastAt = offset + header;
    if (opcode === 1) lastLength = length;
    offset += header + length;
  }
  // Copied once per chunk, not per frame: only the last one is kept.
  if (lastAt >= 0) state.last = bytes.slice(lastAt, lastAt + lastLength);
  return bytes.slice(offset);
}

function maskedTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const header = payload.length < 126 ? 2 : payload.length < 65536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + payload.length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = 0x80 | payload.length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame[2] = payload.length >> 8;
    frame[3] = payload.length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(payload.length));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  for (let i = 0; i < payload.length; i++) frame[header + 4 + i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return frame;
}

function findHeaderEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
