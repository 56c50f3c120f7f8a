import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { action } from "../src/events/factory.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { connectClient } from "./support/ws-client.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

describe("replay under backpressure", () => {
  test("a replay far larger than the socket's buffer arrives whole, in order, then live events follow", async () => {
    const session = await server.handle.manager.create();
    const id = session.conversationId;
    // 12,000 events of ~4 KiB: about 48 MiB, three times Bun's backpressure limit.
    const thought = "x".repeat(4096);
    for (let batch = 0; batch < 12; batch++) {
      await server.handle.store.append(id, Array.from({ length: 1000 }, () => action("user", "think", { thought })));
    }
    const client = await connectClient(server.wsUrl, { conversation_id: id });
    await client.waitFor((f) => typeof f.id === "number", 12_000, 60_000);
    client.send({ action: "think", args: { thought: "live" } });
    await client.waitFor((f) => f.observation === "think", 1, 20_000);
    const ids = client.events().map((e) => e.id);
    expect(ids).toEqual(ids.map((_, i) => i));
    expect(ids.length).toBe(12_002);
    client.close();
  }, 120_000);
});
