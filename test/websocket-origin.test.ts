import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { websocketOriginCheck } from "../src/server/middleware/websocket-origin.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { connectClient } from "./support/ws-client.ts";

/** An upgrade request as a browser would send it: to `host`, from a page of `origin`. */
const upgrade = (host: string, origin?: string) =>
  new Request(`http://${host}/ws`, { headers: { host, upgrade: "websocket", ...(origin ? { origin } : {}) } });

describe("websocketOriginCheck", () => {
  const local = websocketOriginCheck({ corsOrigins: [], host: "127.0.0.1" });

  test("clients that send no Origin (wscat, scripts) may connect", () => {
    expect(local(upgrade("127.0.0.1:3000"))).toBeUndefined();
  });

  test("the server's own pages and pages on this machine may connect", () => {
    expect(local(upgrade("127.0.0.1:3000", "http://127.0.0.1:3000"))).toBeUndefined();
    expect(local(upgrade("localhost:3000", "http://localhost:3000"))).toBeUndefined();
    expect(local(upgrade("127.0.0.1:3000", "http://localhost:5173"))).toBeUndefined();
  });

  test("any other web page may not (cross-site WebSocket hijacking), and the answer says how to allow it", () => {
    const why = local(upgrade("127.0.0.1:3000", "https://evil.example"));
    expect(why).toContain("https://evil.example");
    expect(why).toContain("CORS_ORIGINS");
    expect(local(upgrade("127.0.0.1:3000", "null"))).toBeDefined();
  });

  test("on a loopback bind, a foreign name that resolves to 127.0.0.1 is not the server's own (DNS rebinding)", () => {
    expect(local(upgrade("rebind.example:3000", "http://rebind.example:3000"))).toBeDefined();
    // Listening on every interface (behind its SESSION_API_KEY), the server's own pages come by its name.
    const exposed = websocketOriginCheck({ corsOrigins: [], host: "0.0.0.0" });
    expect(exposed(upgrade("agents.example.com", "https://agents.example.com"))).toBeUndefined();
    expect(exposed(upgrade("agents.example.com", "https://evil.example"))).toBeDefined();
  });

  test("CORS_ORIGINS lists exactly the pages allowed, and `*` allows all", () => {
    const listed = websocketOriginCheck({ corsOrigins: ["https://app.example/"], host: "127.0.0.1" });
    expect(listed(upgrade("127.0.0.1:3000", "https://app.example"))).toBeUndefined();
    expect(listed(upgrade("127.0.0.1:3000", "http://localhost:5173"))).toBeDefined();
    expect(listed(upgrade("127.0.0.1:3000", "http://127.0.0.1:3000"))).toBeUndefined();
    expect(websocketOriginCheck({ corsOrigins: ["*"], host: "127.0.0.1" })(upgrade("127.0.0.1:3000", "https://evil.example"))).toBeUndefined();
  });
});

describe("the /ws upgrade", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test("a page of another site is refused before a conversation is made; a local page connects", async () => {
    const before = server.handle.store.countConversations();
    const refused = await fetch(`${server.url}/ws`, { headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", origin: "https://evil.example" } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "unauthorized", error: expect.stringContaining("https://evil.example") });
    await expect(connectClient(server.wsUrl, {}, { origin: "https://evil.example" })).rejects.toThrow("could not connect");
    expect(server.handle.store.countConversations()).toBe(before);

    const local = await connectClient(server.wsUrl, {}, { origin: "http://localhost:5173" });
    expect((await local.nextFrame((f) => f.type === "connected")).conversation_id).toBeString();
    local.close();
  });
});
