/** Small helpers shared by the test/http-*.test.ts suites: real fetch against a real server. */
import type { TestServer } from "./server.ts";

export type Json = Record<string, unknown>;

export async function call(server: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    // Not JSON (file content, metrics): the text is what the test looks at.
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

/** Creates a conversation over HTTP and returns its id and host workspace. */
export async function createConversation(server: TestServer, body: Json = {}): Promise<{ id: string; workspace: string }> {
  const created = await call(server, "POST", "/api/conversations", body);
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.text}`);
  const id = String(created.body.conversation_id);
  const record = server.handle.store.getConversation(id);
  if (!record) throw new Error(`conversation ${id} is not stored`);
  return { id, workspace: record.workspace };
}

/** Polls until `check` returns a value (bounded, so a broken server fails the test instead of hanging it). */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/** All stored events of a conversation through the events route. */
export async function allEvents(server: TestServer, id: string): Promise<Json[]> {
  const page = await call(server, "GET", `/api/conversations/${id}/events?limit=1000`);
  return page.body.events as Json[];
}

/** Posts an action over HTTP and waits until its observation is in the events route. */
export async function act(server: TestServer, id: string, action: string, args: Json): Promise<{ stored: Json; observation: Json }> {
  const posted = await call(server, "POST", `/api/conversations/${id}/actions`, { action, args });
  if (posted.status !== 202) throw new Error(`action failed: ${posted.status} ${posted.text}`);
  const stored = posted.body;
  const observation = await until(async () => (await allEvents(server, id)).find((e) => e.cause === stored.id), `the observation of ${action}`);
  return { stored, observation };
}
