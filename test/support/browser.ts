import { existsSync } from "node:fs";
import type { Socket, TCPSocketListener } from "bun";
import { expect } from "bun:test";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";

/** Debian's Chromium: the only browser the tests use (never a downloaded build). */
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export const inCI = process.env.CI === "true";

/**
 * Whether the browser suites can run. Without Chromium they fail in CI (the suite must not pass
 * by skipping there) and are skipped elsewhere with one line saying why.
 */
export function browserAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (inCI) return true; // launchBrowser() then fails with a message naming the missing file.
  console.log(`${suite}: skipped: ${CHROMIUM_PATH} is missing (apt-get install -y chromium)`);
  return false;
}

/** Launches headless Chromium; Playwright gives every launch a fresh temporary user-data-dir. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: install the Debian package (apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** One end of a proxied connection: its peer, bytes waiting to be written to it, bytes it sent before its peer was up. */
type Side = { peer: Socket<Side> | null; backlog: Uint8Array[]; early: Uint8Array[] };

/** Writes what the socket takes now and keeps the rest for its drain handler. */
function forward(to: Socket<Side>, chunk: Uint8Array): void {
  if (to.data.backlog.length > 0) {
    to.data.backlog.push(chunk.slice());
    return;
  }
  const written = to.write(chunk);
  if (written < chunk.length) to.data.backlog.push(chunk.slice(Math.max(0, written)));
}

function drain(socket: Socket<Side>): void {
  while (socket.data.backlog.length > 0) {
    const chunk = socket.data.backlog[0]!;
    const written = socket.write(chunk);
    if (written < chunk.length) {
      socket.data.backlog[0] = chunk.slice(Math.max(0, written));
      return;
    }
    socket.data.backlog.shift();
  }
}

export type DropProxy = {
  port: number;
  url: string;
  /** Cuts every open connection; while `refuse` is set, new ones are closed at once. */
  dropAll(): void;
  refuse(on: boolean): void;
  stop(): void;
};

/**
 * A TCP proxy on 127.0.0.1 in front of the server, so a test can cut the browser's connections
 * for real (the WebSocket sees a dropped connection, not a polite close).
 */
export function startDropProxy(targetPort: number): DropProxy {
  const open = new Set<Socket<Side>>();
  let refusing = false;
  const close = (socket: Socket<Side>) => {
    open.delete(socket);
    const peer = socket.data.peer;
    socket.data.peer = null;
    if (peer) {
      peer.data.peer = null;
      peer.end();
    }
  };
  const listener: TCPSocketListener<Side> = Bun.listen<Side>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        client.data = { peer: null, backlog: [], early: [] };
        if (refusing) {
          client.end();
          return;
        }
        open.add(client);
        void Bun.connect<Side>({
          hostname: "127.0.0.1",
          port: targetPort,
          socket: {
            open(upstream) {
              upstream.data = { peer: client, backlog: [], early: [] };
              if (!open.has(client)) {
                upstream.end();
                return;
              }
              open.add(upstream);
              client.data.peer = upstream;
              for (const chunk of client.data.early) forward(upstream, chunk);
              client.data.early = [];
            },
            data(upstream, chunk) {
              if (upstream.data.peer) forward(upstream.data.peer, chunk);
            },
            drain,
            close,
            error: close,
          },
        }).catch(() => client.end());
      },
      data(client, chunk) {
        if (client.data.peer) forward(client.data.peer, chunk);
        else client.data.early.push(chunk.slice());
      },
      drain,
      close,
      error: close,
    },
  });
  return {
    port: listener.port,
    url: `http://127.0.0.1:${listener.port}`,
    dropAll() {
      for (const socket of [...open]) {
        open.delete(socket);
        socket.terminate();
      }
    },
    refuse(on) {
      refusing = on;
    },
    stop() {
      this.dropAll();
      listener.stop(true);
    },
  };
}

// ---- page helpers for the UI suites (the data-testid names are the UI's stable hooks) ----

export type StoredEventJson = { id: number; action?: string; observation?: string; content?: string };

export async function waitConnected(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
}

/** Starts a conversation with a task typed in the chat box of the start screen at `base`; returns once the page is live. */
export async function startTaskInUi(page: Page, base: string, task: string): Promise<void> {
  await page.goto(base);
  await page.getByTestId("chat-input").fill(task);
  await page.getByTestId("chat-input").press("Enter");
  await page.waitForURL(/\/conversations\/[^/]+$/);
  await waitConnected(page);
}

/** Creates a conversation from the start screen at `base` and returns its id once the page is live. */
export async function createConversationInUi(page: Page, base: string): Promise<string> {
  await page.goto(base);
  await page.getByTestId("create-empty-conversation").click();
  await page.waitForURL(/\/conversations\/[^/]+$/);
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
  expect(id.length).toBeGreaterThan(0);
  await waitConnected(page);
  return id;
}

/** Types a command into the command box and presses Enter. */
export async function runCommandInUi(page: Page, command: string): Promise<void> {
  await page.getByTestId("command-input").fill(command);
  await page.getByTestId("command-input").press("Enter");
}

/** The terminal block of a command, once it shows this exit code. */
export function finishedTerminal(page: Page, command: string, exitCode = 0): Locator {
  return page.locator('[data-testid="terminal"]', {
    has: page.locator(`[data-testid="exit-code"][data-exit="${exitCode}"]`),
    hasText: command,
  });
}

export async function serverEvents(base: string, id: string): Promise<StoredEventJson[]> {
  const response = await fetch(`${base}/api/conversations/${id}/events?limit=1000`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { events: StoredEventJson[] };
  return body.events;
}

/** Waits until the page holds the server's newest event, then checks that it holds every event exactly once. */
export async function expectSameEventsAsServer(page: Page, base: string, id: string): Promise<void> {
  const events = await serverEvents(base, id);
  const maxId = events.at(-1)?.id ?? -1;
  await page.waitForFunction((max) => document.querySelector<HTMLElement>('[data-testid="timeline"]')?.dataset.maxEventId === String(max), maxId);
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i));
  expect(await page.getByTestId("timeline").getAttribute("data-event-count")).toBe(String(events.length));
  const itemIds = await page.locator('[data-testid="timeline-item"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-event-id")));
  expect(new Set(itemIds).size).toBe(itemIds.length);
}
