import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentHarness, allToolResults, argsOf, extrasOf, lastToolResults, nextState, openConversation, startAgentHarness, stateOf, states } from "./support/agent-harness.ts";
import { type FakeReply, reply, text, toolUse } from "./support/fake-anthropic.ts";
import { connectClient, type Frame, type TestClient } from "./support/ws-client.ts";

let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h.stop());

const hang: FakeReply = { ...reply(text("never sent")), hang: true };

/** Sends change_agent_state and returns the stored action. */
async function changeState(client: TestClient, agentState: string): Promise<Frame> {
  client.send({ action: "change_agent_state", args: { agent_state: agentState } });
  return client.nextFrame((f) => f.action === "change_agent_state" && argsOf(f).agent_state === agentState);
}

/** A round trip through the server: every event stored before it has been delivered to the agent. */
async function roundTrip(client: TestClient): Promise<void> {
  client.send({ action: "think", args: { thought: "sync" } });
  const stored = await client.nextFrame((f) => f.action === "think" && f.source === "user");
  await client.nextFrame((f) => f.cause === stored.id && f.observation === "think");
}

describe("pause, resume, stop", () => {
  test("a pause during an LLM request holds the reply's tool calls until resume", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen = h.script("[c-pause]", async (_request, turn) => {
      if (turn > 0) return reply(toolUse("finish", {}));
      await held;
      return reply(toolUse("execute_bash", { command: "echo after-resume" }));
    });
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[c-pause] work" } });
    await h.requestOf(seen, 1);
    await nextState(client, "running");
    const pause = await changeState(client, "paused");
    const paused = await nextState(client, "paused");
    expect(paused.cause).toBe(pause.id as number);

    release();
    await seen[0]?.responded;
    await roundTrip(client);
    expect(client.events().some((f) => f.source === "agent" && f.action === "run")).toBe(false);

    const resume = await changeState(client, "running");
    const running = await client.nextFrame((f) => stateOf(f) === "running" && f.cause === resume.id);
    await nextState(client, "finished");
    const run = client.events().find((f) => f.source === "agent" && f.action === "run");
    expect(run?.id as number).toBeGreaterThan(running.id as number);
    expect(seen).toHaveLength(2);
    client.close();
  });

  test("stop aborts the LLM request in flight; a new message starts the agent again", async () => {
    const seen = h.script("[c-stop]", [hang, reply(toolUse("finish", { message: "restarted" }))]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[c-stop] work" } });
    const inFlight = await h.requestOf(seen, 1);
    await nextState(client, "running");
    const stop = await changeState(client, "stopped");
    const stopped = await nextState(client, "stopped");
    expect(stopped.cause).toBe(stop.id as number);
    await inFlight.abortedPromise;
    expect(seen[0]?.aborted).toBe(true);

    client.send({ action: "message", args: { content: "try again" } });
    await nextState(client, "finished");
    expect(seen).toHaveLength(2);
    expect(JSON.stringify(seen[1]?.body.messages)).toContain("try again");
    expect(states(client)).toEqual(["running", "stopped", "running", "finished"]);
    client.close();
  });

  test("resume after a stop goes on with the task where it was", async () => {
    const seen = h.script("[c-resume]", [reply(toolUse("execute_bash", { command: "echo first-step" }, "r1")), hang, reply(toolUse("finish", {}))]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[c-resume] work" } });
    const inFlight = await h.requestOf(seen, 2);
    await changeState(client, "stopped");
    await nextState(client, "stopped");
    await inFlight?.abortedPromise;
    await changeState(client, "running");
    await nextState(client, "finished");
    expect(seen).toHaveLength(3);
    const results = lastToolResults(seen[2]!);
    expect(results[0]?.tool_use_id).toBe("r1");
    expect(results[0]?.content).toContain("first-step");
    client.close();
  });

  test("a client's finish ends a running agent and aborts its request", async () => {
    const seen = h.script("[c-finish]", [hang]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[c-finish] work" } });
    await h.requestOf(seen, 1);
    await nextState(client, "running");
    client.send({ action: "finish", args: {} });
    const finish = await client.nextFrame((f) => f.action === "finish");
    const finished = await nextState(client, "finished");
    expect(finished.cause).toBe(finish.id as number);
    await seen[0]?.abortedPromise;
    client.close();
  });

  test("resuming an agent that owes no reply just waits for the user", async () => {
    h.script("[c-idle]", [reply(text("Hello."))]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[c-idle] hi" } });
    await nextState(client, "awaiting_user_input");
    const resume = await changeState(client, "running");
    const answer = await client.nextFrame((f) => f.cause === resume.id);
    expect(stateOf(answer)).toBe("awaiting_user_input");
    client.close();
  });
});

describe("confirmation mode", () => {
  test("a held action waits for the user: rejected, the agent stops in `rejected`; confirmed, it runs and the agent goes on", async () => {
    const seen = h.script("[c-confirm]", [
      reply(toolUse("execute_bash", { command: "sudo ls" }, "k1")),
      reply(toolUse("execute_bash", { command: "curl -s http://127.0.0.1:9/x | sh" }, "k2")),
      reply(toolUse("finish", {})),
    ]);
    const { client } = await openConversation(h, { confirmation_mode: true });
    client.send({ action: "start", args: { task: "[c-confirm] list things" } });
    const held = await nextState(client, "awaiting_user_confirmation");
    await changeState(client, "user_rejected");
    const rejected = await client.nextFrame((f) => f.observation === "user_rejected");
    expect(rejected.cause).toBe(held.cause as number);
    const stateAfter = await nextState(client, "rejected");
    expect(String(extrasOf(stateAfter).reason)).toContain("rejected");

    client.send({ action: "message", args: { content: "ok, try something else" } });
    await nextState(client, "awaiting_user_confirmation");
    await changeState(client, "user_confirmed");
    const ran = await client.nextFrame((f) => f.observation === "run");
    expect(extrasOf(ran).command).toBe("curl -s http://127.0.0.1:9/x | sh");
    await nextState(client, "finished");
    const rejectedResult = allToolResults(seen[1]!).find((r) => r.tool_use_id === "k1");
    expect(rejectedResult).toMatchObject({ is_error: true, content: expect.stringContaining("The user rejected this action") });
    client.close();
  });
});

describe("a restart of the server", () => {
  test("a conversation that was running rebuilds its history from the stored events and goes on", async () => {
    const restartHarness = await startAgentHarness();
    try {
      const seen = restartHarness.script("[c-restart]", [reply(text("Step one."), toolUse("execute_bash", { command: "echo before-restart" }, "b1")), hang, reply(toolUse("finish", { message: "done after restart" }))]);
      const { client, id } = await openConversation(restartHarness);
      client.send({ action: "start", args: { task: "[c-restart] a long task" } });
      await restartHarness.requestOf(seen, 2);
      const lastSeen = Math.max(...client.events().map((f) => f.id as number));
      await restartHarness.server.restart();
      expect(restartHarness.server.handle.store.getConversation(id)?.agent_state).toBe("running");

      const again = await connectClient(restartHarness.server.wsUrl, { conversation_id: id, latest_event_id: lastSeen });
      const finished = await nextState(again, "finished");
      expect(argsOf((again.events().find((f) => f.action === "finish") ?? {}) as Frame).message).toBe("done after restart");
      const resumed = again.events().find((f) => stateOf(f) === "running");
      expect(String(extrasOf(resumed ?? {}).reason)).toContain("restart");
      expect(finished.id as number).toBeGreaterThan(lastSeen);

      expect(seen).toHaveLength(3);
      const rebuilt = seen[2]!.body.messages;
      expect(rebuilt.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
      expect(JSON.stringify(rebuilt[0])).toContain("[c-restart] a long task");
      expect(rebuilt[1]?.content).toEqual([
        { type: "text", text: "Step one." },
        { type: "tool_use", id: "b1", name: "execute_bash", input: { command: "echo before-restart" } },
      ]);
      expect(lastToolResults(seen[2]!)[0]?.content).toContain("before-restart");
      client.close();
      again.close();
    } finally {
      await restartHarness.stop();
    }
  });
});
