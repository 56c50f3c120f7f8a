import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig, type Config } from "../src/config.ts";
import { listen, type Listener } from "../src/server/listener.ts";
import { attachApp, type ServerHandle } from "../src/server/server.ts";
import { connectClient } from "./support/ws-client.ts";
import { tempDir } from "./support/temp.ts";

/** A listener on an ephemeral port whose app is attached only when the test says so. */
function bootOnly(): { config: Config; listener: Listener; cleanup(): Promise<void>; attach(): Promise<ServerHandle> } {
  const dir = tempDir();
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", STATE_DIR: join(dir.path, "state"), WORKSPACE_BASE: join(dir.path, "ws"), RUNTIME: "local", LOG_LEVEL: "silent", POOL_SIZE: "0" });
  const listener = listen(config);
  let handle: ServerHandle | undefined;
  return {
    config,
    listener,
    attach: async () => (handle = await attachApp(config, listener)),
    async cleanup() {
      if (handle) await handle.stop();
      else listener.close();
      dir.cleanup();
    },
  };
}

/** Whether a promise is still pending after the event loop has had `ms` to settle it. */
async function stillPending(promise: Promise<unknown>, ms = 100): Promise<boolean> {
  const marker = Symbol("pending");
  return (await Promise.race([promise, Bun.sleep(ms).then(() => marker)])) === marker;
}

let boot: ReturnType<typeof bootOnly> | undefined;
afterEach(async () => {
  await boot?.cleanup();
  boot = undefined;
});

describe("the listener, before the server's modules are attached", () => {
  test("/health answers at once; an API request and a socket wait, then the app serves them", async () => {
    boot = bootOnly();
    const base = boot.listener.url;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", conversations: 0, runtime: "local" });

    const created = fetch(`${base}/api/conversations`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const client = connectClient(base.replace(/^http/, "ws"));
    expect(await stillPending(created)).toBe(true);

    await boot.attach();
    const response = await created;
    expect(response.status).toBe(201);
    const { conversation_id: id } = (await response.json()) as { conversation_id: string };
    const socket = await client;
    const hello = await socket.nextFrame((f) => f.type === "connected");
    expect(typeof hello.conversation_id).toBe("string");
    socket.close();
    // The conversation made while the app was loading is stored like any other.
    const listed = (await (await fetch(`${base}/api/conversations`)).json()) as { results: Array<{ conversation_id: string }> };
    expect(listed.results.map((c) => c.conversation_id)).toContain(id);
  });

  test("/health keeps the DNS rebinding guard: a foreign Host is refused", async () => {
    boot = bootOnly();
    const refused = await fetch(`${boot.listener.url}/health`, { headers: { host: "rebound.example:3000" } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "unauthorized" });
  });

  test("when the app cannot be built, the waiting requests and every later one get a 503 naming why", async () => {
    boot = bootOnly();
    const base = boot.listener.url;
    const waiting = fetch(`${base}/api/conversations`);
    expect(await stillPending(waiting)).toBe(true);
    boot.listener.fail(new Error("the database schema is newer than this binary"));
    const answered = await waiting;
    expect(answered.status).toBe(503);
    expect(await answered.json()).toEqual({ error: "the server failed to start: the database schema is newer than this binary", code: "internal" });
    for (const path of ["/health", "/api/conversations"]) {
      const later = await fetch(`${base}${path}`);
      expect(later.status).toBe(503);
      expect(((await later.json()) as { error: string }).error).toContain("newer than this binary");
    }
  });
});
