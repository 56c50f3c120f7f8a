import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./support/server.ts";
import { answers, connectClient, isActionFrame, type Frame } from "./support/ws-client.ts";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function serve(env: Record<string, string> = {}) {
  const server = await startTestServer(env);
  servers.push(server);
  return server;
}

const connected = (f: Frame) => f.type === "connected";
const stateChange = (state: string) => (f: Frame) => f.observation === "agent_state_changed" && (f.extras as Frame).agent_state === state;

describe("initialize", () => {
  test("shows loading then awaiting_user_input, is not stored as an action, and can name a directory inside WORKSPACE_BASE", async () => {
    const server = await serve();
    const client = await connectClient(server.wsUrl);
    const hello = await client.nextFrame(connected);
    client.send({ action: "initialize", args: { directory: "projects/demo", agent_cls: "CodeActAgent" } });
    await client.nextFrame(stateChange("loading"));
    await client.nextFrame(stateChange("awaiting_user_input"));
    expect(client.events().some((e) => e.action === "initialize")).toBe(false);
    client.send({ action: "write", args: { path: "made-here.txt", content: "here" } });
    const write = await client.nextFrame(isActionFrame("write"));
    await client.nextFrame(answers(write.id as number));
    expect(readFileSync(join(server.config.WORKSPACE_BASE, "projects/demo/made-here.txt"), "utf8")).toBe("here");
    const record = server.handle.store.getConversation(String(hello.conversation_id));
    expect(record?.workspace).toBe(join(server.config.WORKSPACE_BASE, "projects/demo"));
    client.close();
  });

  test("a directory outside WORKSPACE_BASE is refused with invalid_args and changes nothing", async () => {
    const server = await serve();
    const client = await connectClient(server.wsUrl);
    const hello = await client.nextFrame(connected);
    const before = server.handle.store.getConversation(String(hello.conversation_id))?.workspace;
    client.send({ action: "initialize", args: { directory: "../../etc" } });
    const error = await client.nextFrame((f) => f.code === "invalid_args");
    expect(String(error.error)).toContain("WORKSPACE_BASE");
    expect(server.handle.store.getConversation(String(hello.conversation_id))?.workspace).toBe(before as string);
    client.close();
  });

  test("initialize with confirmation_mode is remembered on the conversation", async () => {
    const server = await serve();
    const client = await connectClient(server.wsUrl);
    const hello = await client.nextFrame(connected);
    client.send({ action: "initialize", args: { confirmation_mode: true } });
    await client.nextFrame(stateChange("awaiting_user_input"));
    expect(server.handle.store.getConversation(String(hello.conversation_id))?.confirmation_mode).toBe(true);
    client.close();
  });
});

describe("live conversations", () => {
  test("MAX_CONVERSATIONS bounds the live ones with a clear busy error", async () => {
    const server = await serve({ MAX_CONVERSATIONS: "2" });
    const a = await connectClient(server.wsUrl);
    await a.nextFrame(connected);
    const b = await connectClient(server.wsUrl);
    await b.nextFrame(connected);
    const c = await connectClient(server.wsUrl);
    const refused = await c.nextFrame();
    expect(refused.code).toBe("busy");
    expect(String(refused.error)).toContain("MAX_CONVERSATIONS");
    expect((await c.closed).code).toBe(1013);
    a.close();
    b.close();
  });

  test("a conversation with no client and no work is closed after CONVERSATION_IDLE_S, and can be joined again", async () => {
    const server = await serve({ CONVERSATION_IDLE_S: "0.3" });
    const client = await connectClient(server.wsUrl);
    const id = String((await client.nextFrame(connected)).conversation_id);
    client.send({ action: "think", args: { thought: "kept" } });
    await client.nextFrame((f) => f.observation === "think");
    client.close();
    await Bun.sleep(1200);
    expect(server.handle.manager.isLive(id)).toBe(false);
    const back = await connectClient(server.wsUrl, { conversation_id: id });
    await back.nextFrame(connected);
    const replayed = await back.waitFor((f) => typeof f.id === "number", 2);
    expect((replayed[0]?.args as Frame).thought).toBe("kept");
    expect(server.handle.manager.isLive(id)).toBe(true);
    back.close();
  });

  test("a conversation whose command is still running is not closed as idle", async () => {
    const server = await serve({ CONVERSATION_IDLE_S: "0.2" });
    const client = await connectClient(server.wsUrl);
    const id = String((await client.nextFrame(connected)).conversation_id);
    client.send({ action: "run", args: { command: "sleep 1.2; echo finished-late" } });
    await client.nextFrame(isActionFrame("run"));
    client.close();
    await Bun.sleep(700);
    expect(server.handle.manager.isLive(id)).toBe(true);
    await Bun.sleep(1000);
    const events = server.handle.store.read(id, { limit: 100 });
    expect(events.some((e) => "observation" in e && e.observation === "run" && e.content.includes("finished-late"))).toBe(true);
  });

  test("two conversations run commands at the same time", async () => {
    const server = await serve();
    const a = await connectClient(server.wsUrl);
    await a.nextFrame(connected);
    const b = await connectClient(server.wsUrl);
    await b.nextFrame(connected);
    const started = Date.now();
    a.send({ action: "run", args: { command: "sleep 2; echo a-done" } });
    b.send({ action: "run", args: { command: "sleep 2; echo b-done" } });
    const [ra, rb] = await Promise.all([a.nextFrame((f) => f.observation === "run"), b.nextFrame((f) => f.observation === "run")]);
    expect(String(ra.content)).toContain("a-done");
    expect(String(rb.content)).toContain("b-done");
    // One after the other would need four seconds or more; side by side needs about two.
    expect(Date.now() - started).toBeLessThan(3500);
    a.close();
    b.close();
  });
});

describe("shutdown", () => {
  test("stop tells clients with close code 1001, and a restart keeps the conversation usable", async () => {
    const server = await serve();
    const client = await connectClient(server.wsUrl);
    const id = String((await client.nextFrame(connected)).conversation_id);
    await server.restart();
    expect((await client.closed).code).toBe(1001);
    const back = await connectClient(server.wsUrl, { conversation_id: id });
    await back.nextFrame(connected);
    back.send({ action: "run", args: { command: "echo after-restart" } });
    expect(String((await back.nextFrame((f) => f.observation === "run")).content)).toContain("after-restart");
    back.close();
    expect(existsSync(join(server.config.STATE_DIR, "bunhands.sqlite"))).toBe(true);
  });
});

describe("titles", () => {
  test("an untitled conversation takes its title from the first user message; a given title stays", async () => {
    const server = await serve();
    const client = await connectClient(server.wsUrl);
    const id = String((await client.nextFrame(connected)).conversation_id);
    expect(server.handle.store.getConversation(id)?.title).toBe("");
    client.send({ action: "start", args: { task: "write a bash script that prints hello\nand then run it" } });
    await client.nextFrame(isActionFrame("message"));
    expect(server.handle.store.getConversation(id)?.title).toBe("write a bash script that prints hello and then run it");
    client.send({ action: "message", args: { content: "a second message changes nothing" } });
    await client.nextFrame((f) => f.action === "message" && (f.args as Frame).content === "a second message changes nothing");
    expect(server.handle.store.getConversation(id)?.title).toBe("write a bash script that prints hello and then run it");
    client.close();
  });
});

describe("sending to a conversation's clients", () => {
  test("send reaches every client of that conversation only, and stores nothing", async () => {
    const server = await serve();
    const a = await connectClient(server.wsUrl);
    const id = String((await a.nextFrame(connected)).conversation_id);
    const b = await connectClient(server.wsUrl, { conversation_id: id });
    await b.nextFrame(connected);
    const other = await connectClient(server.wsUrl);
    await other.nextFrame(connected);
    server.handle.manager.send(id, { status_update: true, type: "info", id: "STATUS$TEST", message: "hello clients" });
    for (const client of [a, b]) expect((await client.nextFrame((f) => f.id === "STATUS$TEST")).message).toBe("hello clients");
    await Bun.sleep(100);
    expect(other.frames.some((f) => f.id === "STATUS$TEST")).toBe(false);
    expect(server.handle.store.latestId(id)).toBe(-1);
    for (const client of [a, b, other]) client.close();
  });
});
