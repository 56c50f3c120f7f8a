import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { act, allEvents, call, createConversation, until, type Json } from "./support/http.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.stop();
});

const CONVERSATION_KEYS = ["agent_state", "confirmation_mode", "conversation_id", "created_at", "last_activity_at", "runtime", "title"];

describe("POST /api/conversations", () => {
  test("creates a stored conversation with defaults (no body at all)", async () => {
    const created = await call(server, "POST", "/api/conversations");
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("ok");
    const id = String(created.body.conversation_id);
    const got = await call(server, "GET", `/api/conversations/${id}`);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).sort()).toEqual(CONVERSATION_KEYS);
    expect(got.body.conversation_id).toBe(id);
    expect(got.body.confirmation_mode).toBe(false);
    expect(String(got.body.created_at)).toMatch(/Z$/);
  });

  test("takes title, runtime and confirmation_mode", async () => {
    const { id } = await createConversation(server, { title: "  My task  ", runtime: "local", confirmation_mode: true });
    const got = await call(server, "GET", `/api/conversations/${id}`);
    expect(got.body).toMatchObject({ title: "My task", runtime: "local", confirmation_mode: true });
  });

  test("initial_task is stored as the user's message, like the WebSocket start", async () => {
    const { id } = await createConversation(server, { initial_task: "say hello" });
    const events = await allEvents(server, id);
    const message = events.find((e) => e.action === "message");
    expect(message).toMatchObject({ source: "user", args: { content: "say hello" } });
    // No LLM is configured: the agent answers the message with an error naming LLM_API_KEY.
    const error = await until(async () => (await allEvents(server, id)).find((e) => e.cause === message?.id && e.observation === "error"), "the error observation");
    expect(String(error.content)).toContain("LLM_API_KEY");
  });

  test("initial_user_msg, OpenHands' name for it, works the same; both at once is refused", async () => {
    const { id } = await createConversation(server, { initial_user_msg: "say hello the OpenHands way" });
    const message = await until(async () => (await allEvents(server, id)).find((e) => e.action === "message"), "the user's message");
    expect(message).toMatchObject({ source: "user", args: { content: "say hello the OpenHands way" } });
    const both = await call(server, "POST", "/api/conversations", { initial_task: "x", initial_user_msg: "y" });
    expect(both.status).toBe(400);
    expect(String(both.body.error)).toContain("initial_user_msg");
  });

  test("rejects bad bodies with 400 invalid_args naming the field", async () => {
    const badRuntime = await call(server, "POST", "/api/conversations", { runtime: "vm" });
    expect(badRuntime.status).toBe(400);
    expect(badRuntime.body.code).toBe("invalid_args");
    expect(String(badRuntime.body.error)).toContain("runtime");
    const badTitle = await call(server, "POST", "/api/conversations", { title: "" });
    expect(badTitle.status).toBe(400);
    expect(String(badTitle.body.error)).toContain("title");
    const badMode = await call(server, "POST", "/api/conversations", { confirmation_mode: "yes" });
    expect(badMode.status).toBe(400);
    expect(String(badMode.body.error)).toContain("confirmation_mode");
    const both = await call(server, "POST", "/api/conversations", { initial_task: "x", trajectory: [] });
    expect(both.status).toBe(400);
    expect(both.body.code).toBe("invalid_args");
  });

  test("malformed JSON is 400 invalid_json; a non-JSON body is 415 unsupported_type", async () => {
    const malformed = await call(server, "POST", "/api/conversations", "{nope");
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("invalid_json");
    const text = await call(server, "POST", "/api/conversations", "hello", { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expect(text.body.code).toBe("unsupported_type");
  });
});

describe("GET /api/conversations", () => {
  test("pages through every conversation, newest activity first, without duplicates", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createConversation(server, { title: `page test ${i}` })).id);
    // Activity on the oldest one moves it to the front.
    await act(server, ids[0] as string, "think", { thought: "bump" });
    const seen: Json[] = [];
    let pageId: string | null = null;
    let pages = 0;
    do {
      const query: string = pageId ? `?limit=2&page_id=${encodeURIComponent(pageId)}` : "?limit=2";
      const page = await call(server, "GET", `/api/conversations${query}`);
      expect(page.status).toBe(200);
      const results = page.body.results as Json[];
      expect(results.length).toBeLessThanOrEqual(2);
      seen.push(...results);
      pageId = page.body.next_page_id as string | null;
      pages++;
    } while (pageId);
    const total = server.handle.store.countConversations();
    expect(seen.length).toBe(total);
    expect(pages).toBe(Math.ceil(total / 2));
    expect(new Set(seen.map((c) => c.conversation_id)).size).toBe(total);
    for (const id of ids) expect(seen.some((c) => c.conversation_id === id)).toBe(true);
    const times = seen.map((c) => String(c.last_activity_at));
    expect([...times].sort().reverse()).toEqual(times);
    expect(seen[0]?.conversation_id).toBe(ids[0]);
    for (const conversation of seen) expect(Object.keys(conversation).filter((k) => k !== "usage").sort()).toEqual(CONVERSATION_KEYS);
  });

  test("default page size is 20; limit and page_id are validated", async () => {
    const first = await call(server, "GET", "/api/conversations");
    expect((first.body.results as Json[]).length).toBe(Math.min(20, server.handle.store.countConversations()));
    for (const query of ["limit=0", "limit=101", "limit=abc"]) {
      const bad = await call(server, "GET", `/api/conversations?${query}`);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe("invalid_args");
      expect(String(bad.body.error)).toContain("limit");
    }
    const badPage = await call(server, "GET", "/api/conversations?page_id=garbage");
    expect(badPage.status).toBe(400);
    expect(String(badPage.body.error)).toContain("page_id");
  });
});

describe("GET / PATCH / DELETE /api/conversations/:id", () => {
  test("unknown ids are 404 not_found; malformed ids are 400", async () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const missing = await call(server, method, "/api/conversations/nosuchconversation", method === "PATCH" ? { title: "x" } : undefined);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe("not_found");
    }
    const malformed = await call(server, "GET", "/api/conversations/bad%20id");
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("invalid_args");
  });

  test("PATCH renames", async () => {
    const { id } = await createConversation(server);
    const patched = await call(server, "PATCH", `/api/conversations/${id}`, { title: "Renamed" });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe("Renamed");
    expect((await call(server, "GET", `/api/conversations/${id}`)).body.title).toBe("Renamed");
    const empty = await call(server, "PATCH", `/api/conversations/${id}`, { title: "   " });
    expect(empty.status).toBe(400);
    expect(String(empty.body.error)).toContain("title");
    const missing = await call(server, "PATCH", `/api/conversations/${id}`, {});
    expect(missing.status).toBe(400);
    const huge = await call(server, "PATCH", `/api/conversations/${id}`, { title: "t".repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe("too_large");
  });

  test("a PATCHed title of a live conversation stays when its first message arrives", async () => {
    const { id } = await createConversation(server);
    expect((await call(server, "PATCH", `/api/conversations/${id}`, { title: "Chosen by the user" })).status).toBe(200);
    await act(server, id, "message", { content: "a first message that would otherwise become the title" });
    expect((await call(server, "GET", `/api/conversations/${id}`)).body.title).toBe("Chosen by the user");
  });

  test("DELETE removes the events and the workspace; keep_workspace=true keeps the folder", async () => {
    const first = await createConversation(server);
    await act(server, first.id, "write", { path: "notes.txt", content: "hello" });
    expect(existsSync(join(first.workspace, "notes.txt"))).toBe(true);
    const deleted = await call(server, "DELETE", `/api/conversations/${first.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ conversation_id: first.id, deleted: true });
    expect((await call(server, "GET", `/api/conversations/${first.id}`)).status).toBe(404);
    expect((await call(server, "GET", `/api/conversations/${first.id}/events`)).status).toBe(404);
    expect(server.handle.store.read(first.id, {}).length).toBe(0);
    expect(existsSync(first.workspace)).toBe(false);

    const second = await createConversation(server);
    writeFileSync(join(second.workspace, "keep.txt"), "kept");
    expect((await call(server, "DELETE", `/api/conversations/${second.id}?keep_workspace=true`)).status).toBe(200);
    expect(readFileSync(join(second.workspace, "keep.txt"), "utf8")).toBe("kept");
    expect((await call(server, "DELETE", `/api/conversations/${second.id}?keep_workspace=maybe`)).status).toBe(400);
  });
});

describe("trajectory export and replay", () => {
  test("GET …/trajectory is the whole history; a conversation created from it replays the user actions in order", async () => {
    const source = await createConversation(server);
    await act(server, source.id, "run", { command: "mkdir -p out && echo one > out/a.txt" });
    await act(server, source.id, "run", { command: "cat out/a.txt >> out/b.txt && echo two >> out/b.txt" });
    await act(server, source.id, "think", { thought: "done" });
    const exported = await call(server, "GET", `/api/conversations/${source.id}/trajectory`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toContain("application/json");
    expect(exported.body.conversation_id).toBe(source.id);
    const trajectory = exported.body.trajectory as Json[];
    expect(trajectory).toEqual(await allEvents(server, source.id));
    expect(trajectory.map((e) => e.id)).toEqual(trajectory.map((_, i) => i));

    const created = await call(server, "POST", "/api/conversations", { trajectory: exported.body });
    expect(created.status).toBe(201);
    expect(created.body.replayed_actions).toBe(3);
    const copy = String(created.body.conversation_id);
    const events = await until(async () => {
      const list = await allEvents(server, copy);
      const think = list.find((e) => e.action === "think");
      return think && list.some((e) => e.cause === think.id) ? list : undefined;
    }, "the replayed actions and their observations");
    const replayed = events.filter((e) => typeof e.action === "string" && e.source === "user");
    expect(replayed.map((e) => [e.action, e.args])).toEqual(trajectory.filter((e) => typeof e.action === "string" && e.source === "user").map((e) => [e.action, e.args]));
    const copyWorkspace = server.handle.store.getConversation(copy)?.workspace as string;
    expect(readFileSync(join(copyWorkspace, "out/b.txt"), "utf8")).toBe("one\ntwo\n");
  });

  test("an invalid user action in a trajectory is refused before anything is created", async () => {
    const before = server.handle.store.countConversations();
    const refused = await call(server, "POST", "/api/conversations", { trajectory: [{ source: "user", action: "run", args: { command: 42 } }] });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("invalid_args");
    expect(String(refused.body.error)).toContain("trajectory[0]");
    expect(server.handle.store.countConversations()).toBe(before);
    const unknown = await call(server, "GET", "/api/conversations/nosuchconversation/trajectory");
    expect(unknown.status).toBe(404);
  });
});

describe("MAX_CONVERSATIONS", () => {
  test("creating past the limit of live conversations is 503 busy", async () => {
    const small = await startTestServer({ MAX_CONVERSATIONS: "1" });
    try {
      expect((await call(small, "POST", "/api/conversations")).status).toBe(201);
      const refused = await call(small, "POST", "/api/conversations");
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe("busy");
    } finally {
      await small.stop();
    }
  });
});
