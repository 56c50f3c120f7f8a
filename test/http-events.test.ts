import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { act, allEvents, call, createConversation, until, type Json } from "./support/http.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { answers, connectClient } from "./support/ws-client.ts";

let server: TestServer;
let id: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ id } = await createConversation(server));
  // Ten thoughts: twenty events (each action and its observation).
  for (let i = 0; i < 10; i++) await act(server, id, "think", { thought: `thought ${i}` });
});

afterAll(async () => {
  await server.stop();
});

const ids = (page: { body: Json }) => (page.body.events as Json[]).map((e) => e.id);

describe("GET /api/conversations/:id/events", () => {
  test("defaults: from id 0, ascending, has_more false when all fit", async () => {
    const page = await call(server, "GET", `/api/conversations/${id}/events`);
    expect(page.status).toBe(200);
    const total = server.handle.store.latestId(id) + 1;
    expect(total).toBeGreaterThanOrEqual(20);
    expect(ids(page)).toEqual([...Array(total).keys()]);
    expect(page.body.has_more).toBe(false);
  });

  test("start_id, end_id and limit select a range; has_more says when more remain", async () => {
    const first = await call(server, "GET", `/api/conversations/${id}/events?start_id=2&limit=3`);
    expect(ids(first)).toEqual([2, 3, 4]);
    expect(first.body.has_more).toBe(true);
    const bounded = await call(server, "GET", `/api/conversations/${id}/events?start_id=5&end_id=7`);
    expect(ids(bounded)).toEqual([5, 6, 7]);
    expect(bounded.body.has_more).toBe(false);
    const exact = await call(server, "GET", `/api/conversations/${id}/events?start_id=5&end_id=7&limit=3`);
    expect(exact.body.has_more).toBe(false);
  });

  test("reverse pages from the newest down", async () => {
    const newest = server.handle.store.latestId(id);
    const page = await call(server, "GET", `/api/conversations/${id}/events?reverse=true&limit=4`);
    expect(ids(page)).toEqual([newest, newest - 1, newest - 2, newest - 3]);
    expect(page.body.has_more).toBe(true);
    const window = await call(server, "GET", `/api/conversations/${id}/events?reverse=1&start_id=3&end_id=6`);
    expect(ids(window)).toEqual([6, 5, 4, 3]);
  });

  test("bad ranges are 400 invalid_args naming the field; an unknown conversation is 404", async () => {
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["start_id=-1", "start_id"],
      ["end_id=x", "end_id"],
      ["reverse=maybe", "reverse"],
      ["start_id=5&end_id=2", "end_id"],
    ]) {
      const bad = await call(server, "GET", `/api/conversations/${id}/events?${query}`);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe("invalid_args");
      expect(String(bad.body.error)).toContain(field as string);
    }
    const missing = await call(server, "GET", "/api/conversations/nosuchconversation/events");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("not_found");
  });
});

describe("POST /api/conversations/:id/actions", () => {
  test("an action posted over HTTP reaches a WebSocket client of the conversation, and its observation the events route", async () => {
    const { id: conversation } = await createConversation(server);
    const client = await connectClient(server.wsUrl, { conversation_id: conversation });
    await client.nextFrame((f) => f.type === "connected");
    const posted = await call(server, "POST", `/api/conversations/${conversation}/actions`, { action: "run", args: { command: "echo over-http" } });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ action: "run", source: "user", args: { command: "echo over-http" } });
    const actionId = posted.body.id as number;
    expect(typeof actionId).toBe("number");
    const seen = await client.nextFrame((f) => f.id === actionId);
    expect(seen).toEqual(posted.body);
    const observation = await client.nextFrame(answers(actionId));
    expect(observation.observation).toBe("run");
    expect(String(observation.content)).toContain("over-http");
    const stored = (await allEvents(server, conversation)).find((e) => e.cause === actionId);
    expect(stored).toEqual(observation);
    client.close();
  });

  test("chat, start and initialize behave as over the WebSocket", async () => {
    const { id: conversation } = await createConversation(server);
    const init = await call(server, "POST", `/api/conversations/${conversation}/actions`, { action: "initialize", args: { confirmation_mode: false } });
    expect(init.status).toBe(202);
    expect(init.body).toEqual({ status: "ok" });
    const chat = await call(server, "POST", `/api/conversations/${conversation}/actions`, { action: "chat", args: { content: "hi" } });
    expect(chat.status).toBe(202);
    expect(chat.body).toMatchObject({ action: "message", source: "user", args: { content: "hi" } });
    const start = await call(server, "POST", `/api/conversations/${conversation}/actions`, { action: "start", args: { task: "a task" } });
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ action: "message", args: { content: "a task" } });
    const states = await until(async () => {
      const found = (await allEvents(server, conversation)).filter((e) => e.observation === "agent_state_changed");
      return found.length >= 2 ? found : undefined;
    }, "the state changes of initialize");
    expect(states.map((e) => (e.extras as Json).agent_state)).toContain("awaiting_user_input");
  });

  test("bad messages get the WebSocket's error codes, and nothing is stored", async () => {
    const { id: conversation } = await createConversation(server);
    const before = server.handle.store.latestId(conversation);
    const cases: Array<[unknown, number, string]> = [
      ["{not json", 400, "invalid_json"],
      [[1, 2], 400, "invalid_message"],
      [{ args: {} }, 400, "invalid_message"],
      [{ action: 7 }, 400, "invalid_message"],
      [{ action: "teleport", args: {} }, 400, "unknown_action"],
      [{ action: "run", args: { command: 5 } }, 400, "invalid_args"],
      [{ action: "run", args: "ls" }, 400, "invalid_args"],
      [{ action: "read", args: {} }, 400, "invalid_args"],
      [{ action: "write", args: { path: "x", content: "y".repeat(1024 * 1024 + 1) } }, 413, "too_large"],
    ];
    for (const [body, status, code] of cases) {
      const response = await call(server, "POST", `/api/conversations/${conversation}/actions`, body);
      expect({ body: JSON.stringify(body).slice(0, 60), status: response.status, code: response.body.code }).toEqual({ body: JSON.stringify(body).slice(0, 60), status, code });
      expect(typeof response.body.error).toBe("string");
    }
    expect(server.handle.store.latestId(conversation)).toBe(before);
    const missing = await call(server, "POST", "/api/conversations/nosuchconversation/actions", { action: "think", args: { thought: "x" } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("not_found");
  });

  test("a path that leaves the workspace is stored and answered by an error observation", async () => {
    const { id: conversation } = await createConversation(server);
    const { observation } = await act(server, conversation, "read", { path: "../../etc/passwd" });
    expect(observation.observation).toBe("error");
  });
});
