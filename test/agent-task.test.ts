import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentHarness, allToolResults, argsOf, eventsOf, extrasOf, lastToolResults, nextState, openConversation, startAgentHarness, stateOf, states } from "./support/agent-harness.ts";
import { reply, systemText, text, toolUse, withoutCacheControl } from "./support/fake-anthropic.ts";
import type { Frame } from "./support/ws-client.ts";

let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h.stop());

/** The conversation's events without the state changes, as "source:action" / "observation" names. */
const shape = (events: Frame[]) => events.filter((f) => !stateOf(f)).map((f) => (f.action ? `${f.source}:${f.action}` : `obs:${f.observation}`));

describe("a multi-step task", () => {
  test("writes a script with the editor, runs it, sees its output, finishes: the file stays and the events come in order", async () => {
    const seen = h.script("[task-script]", [
      reply(text("I will write the script first."), toolUse("str_replace_editor", { command: "create", path: "hello.sh", file_text: "#!/bin/sh\necho hello from the script\n" }, "toolu_create")),
      reply(toolUse("execute_bash", { command: "sh hello.sh" }, "toolu_run")),
      reply(toolUse("finish", { message: "hello.sh prints its greeting." }, "toolu_finish")),
    ]);
    const { client, id } = await openConversation(h);
    client.send({ action: "start", args: { task: "[task-script] write hello.sh that prints a greeting and run it" } });
    const finished = await nextState(client, "finished");

    const workspace = join(h.server.config.WORKSPACE_BASE, id);
    expect(existsSync(join(workspace, "hello.sh"))).toBe(true);
    expect(readFileSync(join(workspace, "hello.sh"), "utf8")).toBe("#!/bin/sh\necho hello from the script\n");

    const events = eventsOf(client);
    expect(shape(events)).toEqual(["user:message", "agent:message", "agent:edit", "obs:edit", "agent:run", "obs:run", "agent:finish"]);
    const [task, thought, edit, editObs, run, runObs, finish] = events.filter((f) => !stateOf(f)) as Frame[];
    expect(argsOf(task as Frame).content).toContain("[task-script]");
    expect(argsOf(thought as Frame).content).toBe("I will write the script first.");
    expect(edit).toMatchObject({ source: "agent", tool_call_id: "toolu_create", args: { command: "create", path: "hello.sh" } });
    expect(editObs?.cause).toBe(edit?.id as number);
    expect(run).toMatchObject({ source: "agent", tool_call_id: "toolu_run", args: { command: "sh hello.sh" } });
    expect(runObs?.cause).toBe(run?.id as number);
    expect(String(runObs?.content)).toContain("hello from the script");
    expect(extrasOf(runObs as Frame).exit_code).toBe(0);
    expect(finish).toMatchObject({ source: "agent", tool_call_id: "toolu_finish", args: { message: "hello.sh prints its greeting." } });
    expect(finished.cause).toBe(finish?.id as number);
    expect(states(client)).toEqual(["running", "finished"]);

    // What the model was sent: the workspace and tools in the system prompt, each result as a tool_result.
    expect(seen).toHaveLength(3);
    const system = systemText(seen[0]!.body);
    // The workspace as the sandbox's commands see it: /workspace under bubblewrap, else the host folder.
    const named = /Your workspace is (\S+)\./.exec(system)?.[1];
    expect([workspace, "/workspace"]).toContain(named as string);
    for (const tool of ["execute_bash", "str_replace_editor", "browser", "think", "finish"]) expect(system).toContain(tool);
    expect(lastToolResults(seen[1]!)).toEqual([{ type: "tool_result", tool_use_id: "toolu_create", content: expect.stringContaining("File created successfully") } as never]);
    const runResult = lastToolResults(seen[2]!)[0];
    expect(runResult?.tool_use_id).toBe("toolu_run");
    expect(runResult?.content).toContain("hello from the script");
    expect(runResult?.content).toContain("[exit code: 0]");
    // The history grows turn by turn: task, (thought + create), result, run, result.
    expect(seen[2]?.body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);

    // Usage and cost: on the state events and on the conversation record.
    const usage = extrasOf(finished).usage as { input_tokens: number; output_tokens: number; cost_usd: number };
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.cost_usd).toBeGreaterThan(0);
    expect(h.server.handle.store.getConversation(id)?.settings.usage).toEqual(usage);
    client.close();
  });

  test("several tool calls in one reply run in order; invalid input and unknown tools go back to the model as errors", async () => {
    const seen = h.script("[task-batch]", [
      reply(
        toolUse("think", { thought: "plan: echo twice" }, "t1"),
        toolUse("execute_bash", { command: 42 }, "t2"),
        toolUse("execute_bash", { command: "echo one && echo two" }, "t3"),
        toolUse("teleport", { to: "mars" }, "t4"),
        toolUse("str_replace_editor", { command: "str_replace", path: "missing.txt", old_str: "a", new_str: "b" }, "t5"),
      ),
      reply(text("Both lines were printed.")),
    ]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[task-batch] print two lines" } });
    await nextState(client, "awaiting_user_input");
    expect(shape(eventsOf(client))).toEqual(["user:message", "agent:think", "obs:think", "obs:error", "agent:run", "obs:run", "obs:error", "agent:edit", "obs:error", "agent:message"]);

    // Each call of the batch is answered, in order (the rebuilt history gives each call its own turn).
    const results = allToolResults(seen[1]!);
    expect(results.map((r) => r.tool_use_id)).toEqual(["t1", "t2", "t3", "t4", "t5"]);
    expect(results[0]?.is_error).toBeUndefined();
    expect(results[1]).toMatchObject({ is_error: true, content: expect.stringContaining("Invalid input for execute_bash: command") });
    expect(results[2]?.content).toContain("one\ntwo");
    expect(results[3]).toMatchObject({ is_error: true, content: expect.stringContaining('Unknown tool "teleport"') });
    // The editor's own errors reach the model as errors it can act on.
    expect(results[4]).toMatchObject({ is_error: true, content: expect.stringContaining("missing.txt") });
    const last = eventsOf(client).at(-2) as Frame;
    expect(last).toMatchObject({ source: "agent", action: "message", args: { content: "Both lines were printed." } });
    client.close();
  });

  test("the editor's rules: old_str must match exactly once, and the model is told how it failed", async () => {
    const seen = h.script("[task-editor]", [
      reply(toolUse("str_replace_editor", { command: "create", path: "notes.txt", file_text: "alpha\nbeta\nalpha\n" }, "e1")),
      reply(toolUse("str_replace_editor", { command: "str_replace", path: "notes.txt", old_str: "alpha", new_str: "gamma" }, "e2")),
      reply(toolUse("str_replace_editor", { command: "str_replace", path: "notes.txt", old_str: "delta", new_str: "x" }, "e3")),
      reply(toolUse("str_replace_editor", { command: "str_replace", path: "notes.txt", old_str: "beta\nalpha", new_str: "beta\nomega" }, "e4")),
      reply(toolUse("finish", {}, "e5")),
    ]);
    const { client, id } = await openConversation(h);
    client.send({ action: "start", args: { task: "[task-editor] fix notes.txt" } });
    await nextState(client, "finished");
    const twice = lastToolResults(seen[2]!)[0];
    expect(twice).toMatchObject({ tool_use_id: "e2", is_error: true });
    expect(twice?.content).toMatch(/Multiple occurrences of old_str `alpha` in lines 1, 3/);
    const absent = lastToolResults(seen[3]!)[0];
    expect(absent).toMatchObject({ tool_use_id: "e3", is_error: true });
    expect(absent?.content).toContain("did not appear verbatim");
    expect(lastToolResults(seen[4]!)[0]?.is_error).toBeUndefined();
    expect(readFileSync(join(h.server.config.WORKSPACE_BASE, id, "notes.txt"), "utf8")).toBe("alpha\nbeta\nomega\n");
    client.close();
  });
});

describe("talking with the agent", () => {
  test("a user message sent while the agent works reaches the model with its next request", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen = h.script("[task-midrun]", async (_request, turn) => {
      if (turn === 0) {
        await held;
        return reply(toolUse("execute_bash", { command: "echo working" }, "m1"));
      }
      return reply(toolUse("finish", { message: "ok" }, "m2"));
    });
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[task-midrun] do something" } });
    await h.requestOf(seen, 1);
    await client.nextFrame((f) => stateOf(f) === "running");
    client.send({ action: "message", args: { content: "also, use bash only please" } });
    await client.nextFrame((f) => f.action === "message" && argsOf(f).content === "also, use bash only please");
    release();
    await nextState(client, "finished");
    // Request 1 was sent before the message; request 2, the next one, carries it.
    expect(JSON.stringify(seen[0]?.body.messages)).not.toContain("use bash only");
    expect(JSON.stringify(seen[1]?.body.messages)).toContain("also, use bash only please");
    expect(lastToolResults(seen[1]!)[0]?.tool_use_id).toBe("m1");
    client.close();
  });

  test("a reply without a tool call is posted as the agent's message and waits for the user; the next message goes on", async () => {
    const seen = h.script("[task-chat]", [reply(text("Which file do you mean?")), reply(toolUse("finish", { message: "done" }))]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[task-chat] fix the file" } });
    const waiting = await nextState(client, "awaiting_user_input");
    const question = eventsOf(client).find((f) => f.source === "agent" && f.action === "message");
    expect(argsOf(question as Frame).content).toBe("Which file do you mean?");
    expect(question?.id as number).toBeLessThan(waiting.id as number);
    client.send({ action: "message", args: { content: "the README" } });
    await nextState(client, "finished");
    expect(withoutCacheControl(seen[1]?.body.messages)).toEqual([
      { role: "user", content: [{ type: "text", text: "[task-chat] fix the file" }] },
      { role: "assistant", content: [{ type: "text", text: "Which file do you mean?" }] },
      { role: "user", content: [{ type: "text", text: "the README" }] },
    ]);
    client.close();
  });

  test("what the user runs directly is part of what the model sees", async () => {
    const seen = h.script("[task-user-run]", [reply(text("ok")), reply(toolUse("finish", {}))]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[task-user-run] wait" } });
    await nextState(client, "awaiting_user_input");
    client.send({ action: "run", args: { command: "echo from-the-user" } });
    await client.nextFrame((f) => f.observation === "run");
    client.send({ action: "message", args: { content: "see above" } });
    await nextState(client, "finished");
    const last = JSON.stringify(seen[1]?.body.messages.at(-1));
    expect(last).toContain("The user ran the run action");
    expect(last).toContain("from-the-user");
    client.close();
  });
});
