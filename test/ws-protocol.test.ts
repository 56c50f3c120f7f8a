import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { type LoopbackPage, serveLoopbackPage, startTestServer, type TestServer } from "./support/server.ts";
import { answers, connectClient, isActionFrame, type Frame } from "./support/ws-client.ts";

let server: TestServer;
let page: LoopbackPage;

beforeAll(async () => {
  server = await startTestServer();
  // A page on loopback for `browse`, with a redirect to follow.
  page = serveLoopbackPage((req) => {
    if (new URL(req.url).pathname === "/go") return Response.redirect("/page", 302);
    return new Response("<html><body>hello from the test page</body></html>", { headers: { "content-type": "text/html" } });
  });
});

afterAll(async () => {
  page.stop(true);
  await server.stop();
});

const connected = (f: Frame) => f.type === "connected";

async function newConversation() {
  const client = await connectClient(server.wsUrl);
  const hello = await client.nextFrame(connected);
  return { client, id: String(hello.conversation_id), hello };
}

/** Sends an action and returns the stored action and its observation. */
async function act(client: Awaited<ReturnType<typeof connectClient>>, action: string, args: Record<string, unknown>) {
  const isThisAction = (f: Frame) => f.action === action && f.source === "user" && typeof f.id === "number";
  const earlier = client.frames.filter(isThisAction).length;
  client.send({ action, args });
  const stored = (await client.waitFor(isThisAction, earlier + 1))[earlier] as Frame;
  const observation = (await client.waitFor(answers(stored.id as number), 1, 15_000))[0] as Frame;
  return { stored, observation };
}

describe("connecting", () => {
  test("a bare connect creates a stored, listed conversation and says connected first", async () => {
    const { client, id, hello } = await newConversation();
    expect(client.frames[0]).toEqual({ status_update: true, type: "connected", conversation_id: id, latest_event_id: -1 });
    expect(hello.latest_event_id).toBe(-1);
    expect(server.handle.store.getConversation(id)?.conversation_id).toBe(id);
    const again = await connectClient(server.wsUrl, { conversation_id: id });
    expect((await again.nextFrame(connected)).conversation_id).toBe(id);
    client.close();
    again.close();
  });

  test("an unknown conversation id gets not_found and close code 4404", async () => {
    const client = await connectClient(server.wsUrl, { conversation_id: "doesnotexist" });
    const frame = await client.nextFrame();
    expect(frame.code).toBe("not_found");
    expect(typeof frame.error).toBe("string");
    expect((await client.closed).code).toBe(4404);
  });
});

describe("the websocat example", () => {
  test("start as the very first message: the task is stored, then an error says LLM_API_KEY is not set", async () => {
    const { client } = await newConversation();
    client.send({ action: "start", args: { task: "write a bash script that prints hello" } });
    const message = await client.nextFrame(isActionFrame("message"));
    expect(message.source).toBe("user");
    expect((message.args as Frame).content).toBe("write a bash script that prints hello");
    const error = await client.nextFrame(answers(message.id as number));
    expect(error.observation).toBe("error");
    const state = await client.nextFrame((f) => f.observation === "agent_state_changed" && (f.extras as Frame).agent_state === "error");
    expect(String((state.extras as Frame).reason)).toContain("LLM_API_KEY");
    // The server keeps serving: a direct action still works.
    const { observation } = await act(client, "run", { command: "echo still-alive" });
    expect(observation.content).toContain("still-alive");
    // Ids are contiguous from 0, timestamps are ISO UTC.
    const ids = client.events().map((e) => e.id);
    expect(ids).toEqual(ids.map((_, i) => i));
    for (const e of client.events()) expect(String(e.timestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    client.close();
  });
});

describe("direct actions", () => {
  test("run, write, read, edit, think, finish round trips carry cause", async () => {
    const { client, id } = await newConversation();
    const run = await act(client, "run", { command: "echo hi && sh -c 'exit 3'" });
    expect(run.observation.observation).toBe("run");
    expect(run.observation.content).toContain("hi");
    expect((run.observation.extras as Frame).exit_code).toBe(3);
    expect((run.observation.extras as Frame).command).toBe("echo hi && sh -c 'exit 3'");

    const write = await act(client, "write", { path: "dir/hello.sh", content: "echo hello\n" });
    expect(write.observation.observation).toBe("write");
    expect((write.observation.extras as Frame).path).toBe("dir/hello.sh");
    const workspace = server.handle.store.getConversation(id)?.workspace as string;
    expect(readFileSync(join(workspace, "dir/hello.sh"), "utf8")).toBe("echo hello\n");

    const read = await act(client, "read", { path: "dir/hello.sh" });
    expect(read.observation.observation).toBe("read");
    expect(read.observation.content).toBe("echo hello\n");

    const edit = await act(client, "edit", { command: "str_replace", path: "dir/hello.sh", old_str: "hello", new_str: "bye" });
    expect(edit.observation.observation).toBe("edit");
    expect(String((edit.observation.extras as Frame).diff)).toContain("+echo bye");
    expect(readFileSync(join(workspace, "dir/hello.sh"), "utf8")).toBe("echo bye\n");

    const think = await act(client, "think", { thought: "pondering" });
    expect(think.observation.observation).toBe("think");
    expect(think.observation.content).toBe("");

    client.send({ action: "finish", args: { message: "done" } });
    const finish = await client.nextFrame(isActionFrame("finish"));
    const finished = await client.nextFrame(answers(finish.id as number));
    expect(finished.observation).toBe("agent_state_changed");
    expect((finished.extras as Frame).agent_state).toBe("finished");
    client.close();
  });

  test("browse fetches a loopback page, following redirects", async () => {
    const { client } = await newConversation();
    const { observation } = await act(client, "browse", { url: `http://127.0.0.1:${page.port}/go` });
    expect(observation.observation).toBe("browse");
    expect(observation.content).toContain("hello from the test page");
    expect((observation.extras as Frame).status_code).toBe(200);
    expect((observation.extras as Frame).url).toBe(`http://127.0.0.1:${page.port}/page`);
    const bad = await act(client, "browse", { url: "not a url" });
    expect(bad.observation.observation).toBe("error");
    client.close();
  });

  test("chat is an alias of message", async () => {
    const { client } = await newConversation();
    client.send({ action: "chat", args: { content: "hello agent" } });
    const message = await client.nextFrame(isActionFrame("message"));
    expect((message.args as Frame).content).toBe("hello agent");
    expect(message.source).toBe("user");
    client.close();
  });
});

describe("paths stay inside the workspace", () => {
  const escapes = ["../outside.txt", "../../etc/passwd", "/etc/passwd", "a/../../x", "bad\u0000name", "link-out/secret.txt", `${"a/".repeat(2100)}x`, "/workspace/../etc/passwd"];
  test.each(escapes)("%p is answered by an error observation and touches nothing outside", async (path) => {
    const { client, id } = await newConversation();
    const workspace = server.handle.store.getConversation(id)?.workspace as string;
    mkdirSync(workspace, { recursive: true });
    if (!existsSync(join(workspace, "link-out"))) symlinkSync("/etc", join(workspace, "link-out"));
    for (const action of ["read", "write"]) {
      const args = action === "write" ? { path, content: "pwned" } : { path };
      const { observation } = await act(client, action, args);
      expect(observation.observation).toBe("error");
      expect(String(observation.content).length).toBeGreaterThan(0);
    }
    const edit = await act(client, "edit", { command: "create", path, file_text: "pwned" });
    expect(edit.observation.observation).toBe("error");
    expect(existsSync(join(workspace, "..", "outside.txt"))).toBe(false);
    expect(existsSync("/etc/secret.txt")).toBe(false);
    client.close();
  });

  test("URL-encoded dots are literal names: they stay inside the workspace", async () => {
    const { client, id } = await newConversation();
    const workspace = server.handle.store.getConversation(id)?.workspace as string;
    const { observation } = await act(client, "write", { path: "%2e%2e/%2e%2e/planted.txt", content: "inside" });
    expect(observation.observation).toBe("write");
    expect(readFileSync(join(workspace, "%2e%2e/%2e%2e/planted.txt"), "utf8")).toBe("inside");
    client.close();
  });

  test("a missing file or a folder is reported as such, not as an escape", async () => {
    const { client } = await newConversation();
    const missing = await act(client, "read", { path: "nope.txt" });
    expect(missing.observation).toMatchObject({ observation: "error", extras: { error_id: "ENOENT" } });
    expect(String(missing.observation.content)).toContain("nope.txt does not exist");
    await act(client, "write", { path: "dir/inner.txt", content: "x" });
    const folder = await act(client, "read", { path: "dir" });
    expect(folder.observation).toMatchObject({ observation: "error", extras: { error_id: "EISDIR" } });
    client.close();
  });

  test("a sibling conversation's folder is an escape too", async () => {
    const a = await newConversation();
    const b = await newConversation();
    const { observation } = await act(a.client, "write", { path: `../${b.id}/planted.txt`, content: "x" });
    expect(observation.observation).toBe("error");
    a.client.close();
    b.client.close();
  });
});

describe("fan-out, replay and restart", () => {
  test("two clients of one conversation see every event in the same order", async () => {
    const first = await newConversation();
    const second = await connectClient(server.wsUrl, { conversation_id: first.id });
    await second.nextFrame(connected);
    await act(first.client, "run", { command: "echo from-first" });
    await act(second, "think", { thought: "from second" });
    await act(first.client, "write", { path: "f.txt", content: "x" });
    await second.waitFor((f) => f.observation === "write");
    const ids = (c: typeof second) => c.events().map((e) => `${e.id}:${e.action ?? e.observation}`);
    expect(ids(first.client)).toEqual(ids(second));
    expect(first.client.events().length).toBe(6);
    first.client.close();
    second.close();
  });

  test("reconnecting with latest_event_id gets exactly the missing events", async () => {
    const { client, id } = await newConversation();
    await act(client, "think", { thought: "one" });
    await act(client, "think", { thought: "two" });
    client.close();
    // Events stored while no client is connected.
    const other = await connectClient(server.wsUrl, { conversation_id: id });
    await other.waitFor((f) => typeof f.id === "number", 4);
    await act(other, "think", { thought: "three" });
    other.close();
    const back = await connectClient(server.wsUrl, { conversation_id: id, latest_event_id: 1 });
    const hello = await back.nextFrame(connected);
    expect(hello.latest_event_id).toBe(5);
    await back.waitFor((f) => typeof f.id === "number", 4);
    await Bun.sleep(50);
    expect(back.events().map((e) => e.id)).toEqual([2, 3, 4, 5]);
    back.close();
  });

  test("a client that disconnects while its command runs loses nothing", async () => {
    const { client, id } = await newConversation();
    client.send({ action: "run", args: { command: "sleep 0.5; echo late-output" } });
    const stored = await client.nextFrame(isActionFrame("run"));
    client.close();
    await Bun.sleep(900);
    const back = await connectClient(server.wsUrl, { conversation_id: id, latest_event_id: stored.id as number });
    const observation = await back.nextFrame(answers(stored.id as number));
    expect(observation.content).toContain("late-output");
    back.close();
  });

  test("a server restart keeps conversations and events", async () => {
    const { client, id } = await newConversation();
    await act(client, "think", { thought: "remember me" });
    client.close();
    await server.restart();
    const back = await connectClient(server.wsUrl, { conversation_id: id });
    const hello = await back.nextFrame(connected);
    expect(hello.latest_event_id).toBe(1);
    const replayed = await back.waitFor((f) => typeof f.id === "number", 2);
    expect((replayed[0]?.args as Frame).thought).toBe("remember me");
    const { stored } = await act(back, "think", { thought: "after restart" });
    expect(stored.id).toBe(2);
    back.close();
  });
});

describe("bad input changes nothing", () => {
  const cases: Array<[string, string, string]> = [
    ["not JSON", "this is not json", "invalid_json"],
    ["a JSON array", "[1,2,3]", "invalid_message"],
    ["a JSON string", '"run"', "invalid_message"],
    ["no action", '{"args":{}}', "invalid_message"],
    ["a non-string action", '{"action": 5}', "invalid_message"],
    ["an unknown action", '{"action": "explode", "args": {}}', "unknown_action"],
    ["run without a command", '{"action": "run", "args": {}}', "invalid_args"],
    ["run with a numeric command", '{"action": "run", "args": {"command": 5}}', "invalid_args"],
    ["args that are not an object", '{"action": "think", "args": "x"}', "invalid_args"],
    ["a negative timeout", '{"action": "run", "args": {"command": "ls", "timeout": -1}}', "invalid_args"],
    ["a bad agent state", '{"action": "change_agent_state", "args": {"agent_state": "dancing"}}', "invalid_args"],
    ["start without a task", '{"action": "start", "args": {}}', "invalid_args"],
    ["a frame over 1 MiB", JSON.stringify({ action: "think", args: { thought: "x".repeat(1024 * 1024 + 10) } }), "too_large"],
  ];
  test.each(cases)("%s → %s... one error frame, no event, the connection stays usable", async (_name, raw, code) => {
    const { client, id } = await newConversation();
    client.sendRaw(raw);
    const error = await client.nextFrame((f) => "error" in f && "code" in f);
    expect(error.code).toBe(code);
    expect(String(error.error).length).toBeGreaterThan(5);
    expect(server.handle.store.latestId(id)).toBe(-1);
    const { observation } = await act(client, "think", { thought: "still usable" });
    expect(observation.cause).toBe(0);
    expect(client.frames.filter((f) => "error" in f && "code" in f)).toHaveLength(1);
    client.close();
  });
});
