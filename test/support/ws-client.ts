/** A WebSocket test client that records every frame and waits for the ones a test expects. */

export type Frame = Record<string, unknown>;

export type TestClient = {
  ws: WebSocket;
  frames: Frame[];
  send(message: unknown): void;
  sendRaw(text: string): void;
  /** The next frame (after those already consumed by earlier waits) that matches. */
  nextFrame(match?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Waits until `count` frames in all match. */
  waitFor(match: (frame: Frame) => boolean, count?: number, timeoutMs?: number): Promise<Frame[]>;
  /** Stored events received so far (frames with an id), in arrival order. */
  events(): Frame[];
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
};

export function connectClient(baseWsUrl: string, query: Record<string, string | number> = {}, headers?: Record<string, string>): Promise<TestClient> {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const url = `${baseWsUrl}/ws${params.size ? `?${params}` : ""}`;
  const ws = new WebSocket(url, headers ? ({ headers } as unknown as string[]) : undefined);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  let cursor = 0;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(String(e.data)) as Frame);
    for (const wake of waiters) wake();
  });
  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const done = check();
      if (done !== undefined) return resolve(done);
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; frames so far: ${JSON.stringify(frames).slice(-1500)}`));
      }, timeoutMs);
      const wake = () => {
        const result = check();
        if (result === undefined) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(result);
      };
      waiters.add(wake);
    });
  const client: TestClient = {
    ws,
    frames,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    sendRaw: (text) => ws.send(text),
    nextFrame: (match = () => true, timeoutMs = 10_000) =>
      waitUntil(
        () => {
          for (; cursor < frames.length; cursor++) {
            const frame = frames[cursor] as Frame;
            if (match(frame)) {
              cursor++;
              return frame;
            }
          }
          return undefined;
        },
        timeoutMs,
        "a matching frame",
      ),
    waitFor: (match, count = 1, timeoutMs = 10_000) =>
      waitUntil(
        () => {
          const found = frames.filter(match);
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        `${count} matching frames`,
      ),
    events: () => frames.filter((f) => typeof f.id === "number"),
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(client), { once: true });
    ws.addEventListener("error", () => reject(new Error(`could not connect to ${url}`)), { once: true });
  });
}

/** The observation answering an action id. */
export const answers = (actionId: number) => (f: Frame) => typeof f.observation === "string" && f.cause === actionId;
/** A stored action event with this name. */
export const isActionFrame = (name: string) => (f: Frame) => f.action === name && typeof f.id === "number";
