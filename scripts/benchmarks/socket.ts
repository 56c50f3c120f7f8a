/** WebSocket clients for the benchmarks: connect, join a conversation, time round-trips. */

export type Frame = {
  id?: number;
  cause?: number | null;
  observation?: string;
  action?: string;
  type?: string;
  error?: string;
  code?: string;
  conversation_id?: string;
  latest_event_id?: number;
  content?: string;
  extras?: Record<string, unknown>;
};

export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
}

export type Joined = { ws: WebSocket; id: string; latestEventId: number };

/** Opens /ws (a new conversation unless `query` names one) and waits for the connected frame. */
export async function joinConversation(wsBase: string, query: Record<string, string | number> = {}): Promise<Joined> {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const ws = new WebSocket(`${wsBase}/ws${params.size ? `?${params}` : ""}`);
  return new Promise((resolve, reject) => {
    ws.onerror = () => reject(new Error(`cannot connect to ${wsBase}/ws`));
    ws.onclose = (e) => reject(new Error(`closed before joining: ${e.code} ${e.reason}`));
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as Frame;
      if (frame.error) return reject(new Error(`join refused: ${frame.code} ${frame.error}`));
      if (frame.type !== "connected") return;
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
      resolve({ ws, id: String(frame.conversation_id), latestEventId: Number(frame.latest_event_id) });
    };
  });
}

/** Sends one message at a time and waits for the frame `done` says ends it; returns round-trip times in µs. */
export async function roundTrips(ws: WebSocket, count: number, message: (i: number) => string, done: (frame: Frame) => boolean): Promise<number[]> {
  const times: number[] = [];
  let resolveOne: (() => void) | undefined;
  ws.onmessage = (e) => {
    const frame = JSON.parse(String(e.data)) as Frame;
    if (frame.error) throw new Error(`error frame: ${frame.code} ${frame.error}`);
    if (done(frame)) resolveOne?.();
  };
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      resolveOne = resolve;
      ws.send(message(i));
    });
    times.push((performance.now() - t0) * 1000);
  }
  ws.onmessage = null;
  return times;
}

export const thinkMessage = (i: number) => JSON.stringify({ action: "think", args: { thought: `t${i}` } });
export const runMessage = (command: string) => JSON.stringify({ action: "run", args: { command } });
