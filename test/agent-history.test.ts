import { describe, expect, test } from "bun:test";
import { condense, estimateTokens, type ChatMessage } from "../src/agent/condenser.ts";
import { EventLog } from "../src/agent/event-log.ts";
import { buildMessages, INVALID_TOOL_CALL } from "../src/agent/history.ts";
import { needsReply } from "../src/agent/resume.ts";
import { detectStuck, stepsSinceLastUserMessage, type Step } from "../src/agent/stuck.ts";
import type { StoredEvent } from "../src/events/schema.ts";
import { action, agentStateChanged, errorObservation, observation } from "../src/events/factory.ts";

/** Stored events from new ones, ids in order, as the store would give them. */
function logOf(...events: Array<ReturnType<typeof action> | ReturnType<typeof observation>>): EventLog {
  const log = new EventLog();
  events.forEach((event, id) => log.add({ ...event, id, timestamp: new Date(0).toISOString() } as StoredEvent));
  return log;
}

const user = (content: string) => action("user", "message", { content });
const agentSays = (content: string) => action("agent", "message", { content });
const run = (command: string, toolCallId: string) => action("agent", "run", { command }, "", { tool_call_id: toolCallId });
const ran = (cause: number, output: string, exitCode = 0) => observation("run", output, { command: "", exit_code: exitCode, timed_out: false, running: false, working_dir: "/workspace" }, cause);

describe("the model's history, rebuilt from stored events", () => {
  test("user messages, the agent's text with its tool call, and the result", () => {
    const log = logOf(user("task"), agentStateChanged("running", 0), agentSays("Looking."), run("ls", "c1"), ran(3, "a.txt"), agentSays("There is a.txt."));
    expect(buildMessages(log)).toEqual([
      { role: "user", content: [{ type: "text", text: "task" }] },
      { role: "assistant", content: [{ type: "text", text: "Looking." }, { type: "tool_use", id: "c1", name: "execute_bash", input: { command: "ls" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: "a.txt\n[exit code: 0]\n[working directory: /workspace]" }] },
      { role: "assistant", content: [{ type: "text", text: "There is a.txt." }] },
    ]);
  });

  test("a message sent while a tool ran follows that tool's result; an interrupted call still gets a result", () => {
    const log = logOf(user("task"), run("sleep 5", "c1"), user("hurry"), ran(1, ""), run("make", "c2"));
    const messages = buildMessages(log);
    expect(messages[2]?.content).toEqual([
      { type: "tool_result", tool_use_id: "c1", content: "(no output)\n[exit code: 0]\n[working directory: /workspace]" },
      { type: "text", text: "hurry" },
    ]);
    expect(messages[4]).toMatchObject({ role: "user", content: [{ type: "tool_result", tool_use_id: "c2", is_error: true, content: expect.stringContaining("interrupted") }] });
  });

  test("a refused tool call keeps its input and error; a finish gets a result so the talk can go on", () => {
    const refused = { ...errorObservation(null, "Invalid input for execute_bash: command: expected string", INVALID_TOOL_CALL, "agent"), tool_call_id: "bad" };
    refused.extras = { ...refused.extras, tool_name: "execute_bash", tool_input: { command: 1 } };
    const finish = action("agent", "finish", { message: "done" }, "", { tool_call_id: "f1" });
    const log = logOf(user("task"), refused, finish, agentStateChanged("finished", 2), user("one more thing"));
    const messages = buildMessages(log);
    expect(messages[1]?.content).toEqual([
      { type: "tool_use", id: "bad", name: "execute_bash", input: { command: 1 } },
    ]);
    expect(messages[2]?.content).toEqual([{ type: "tool_result", tool_use_id: "bad", content: "ERROR: Invalid input for execute_bash: command: expected string", is_error: true }]);
    expect(messages[3]?.content).toEqual([{ type: "tool_use", id: "f1", name: "finish", input: { message: "done" } }]);
    expect(messages[4]?.content).toEqual([
      { type: "tool_result", tool_use_id: "f1", content: "The task is marked finished." },
      { type: "text", text: "one more thing" },
    ]);
  });

  test("a state change caused by an action (a confirmation hold) is not its answer", () => {
    const log = logOf(user("task"), run("rm -rf build", "c1"), agentStateChanged("awaiting_user_confirmation", 1), observation("user_rejected", "too risky", {}, 1));
    expect(log.answerOf(1)?.observation).toBe("user_rejected");
    expect(buildMessages(log)[2]?.content).toEqual([{ type: "tool_result", tool_use_id: "c1", content: "The user rejected this action and it was not run. too risky", is_error: true }]);
  });

  test("whether the model owes a reply (for a resume)", () => {
    expect(needsReply(logOf(user("task")))).toBe(true);
    expect(needsReply(logOf(user("task"), agentSays("hi")))).toBe(false);
    expect(needsReply(logOf(user("task"), run("ls", "c"), ran(1, "x"), agentStateChanged("stopped", null)))).toBe(true);
    expect(needsReply(logOf(user("task"), action("agent", "finish", {}, "", { tool_call_id: "f" }), agentStateChanged("finished", 1)))).toBe(false);
    expect(needsReply(logOf())).toBe(false);
  });
});

describe("condensing a history that outgrows the budget", () => {
  const big = "x".repeat(5000);
  function longTask(steps: number): ChatMessage[] {
    const messages: ChatMessage[] = [{ role: "user", content: [{ type: "text", text: "the task" }] }];
    for (let i = 0; i < steps; i++) {
      messages.push({ role: "assistant", content: [{ type: "tool_use", id: `c${i}`, name: "execute_bash", input: { command: `step ${i}` } }] });
      messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: `c${i}`, content: `${i}:${big}` }] });
    }
    return messages;
  }

  test("a history within budget is left alone", () => {
    const messages = longTask(2);
    expect(condense(messages, 1_000_000).messages).toBe(messages);
  });

  test("older results are cut first; the task and the recent steps stay whole", () => {
    const messages = longTask(10);
    const result = condense(messages, estimateTokens(messages) - 1000);
    expect(result.elidedResults).toBeGreaterThan(0);
    expect(result.droppedMessages).toBe(0);
    expect(result.messages[0]).toEqual(messages[0]);
    expect(result.messages.slice(-6)).toEqual(messages.slice(-6));
    expect(JSON.stringify(result.messages[2])).toContain("characters condensed to save context");
  });

  test("then whole middle steps are dropped in pairs, with a note, and the result stays a valid alternation", () => {
    const messages = longTask(40);
    const budget = 3000;
    const result = condense(messages, budget);
    expect(estimateTokens(result.messages)).toBeLessThanOrEqual(budget);
    expect(result.droppedMessages).toBeGreaterThan(0);
    expect(result.droppedMessages % 2).toBe(0);
    expect(result.messages.map((m) => m.role)).toEqual(result.messages.map((_, i) => (i % 2 === 0 ? "user" : "assistant")));
    const first = JSON.stringify(result.messages[0]);
    expect(first).toContain("the task");
    expect(first).toContain("Context condensed");
    // Every tool_result still answers the tool_use right before it.
    for (let i = 2; i < result.messages.length; i += 2) {
      const uses = (result.messages[i - 1]?.content as Array<{ type: string; id?: string }>).filter((b) => b.type === "tool_use").map((b) => b.id);
      const answers = (result.messages[i]?.content as Array<{ type: string; tool_use_id?: string }>).filter((b) => b.type === "tool_result").map((b) => b.tool_use_id);
      expect(answers).toEqual(uses);
    }
    expect(JSON.stringify(result.messages.at(-1))).toContain("39:");
  });
});

describe("stuck detection", () => {
  const step = (action: string, observation: string, failed = false): Step => ({ action, observation, failed });

  test("the same action and observation 4 times", () => {
    const s = step("run ls", "run 0 a");
    expect(detectStuck([s, s, s])).toBeNull();
    expect(detectStuck([s, s, s, s])).toContain("4 times");
  });

  test("the same failing action 3 times, even with different errors", () => {
    expect(detectStuck([step("run make", "e1", true), step("run make", "e2", true), step("run make", "e3", true)])).toContain("failed 3 times");
    expect(detectStuck([step("run make", "e1", true), step("run make", "ok"), step("run make", "e3", true)])).toBeNull();
  });

  test("an A-B-A-B alternation over 6 steps", () => {
    const a = step("run a", "A");
    const b = step("run b", "B");
    expect(detectStuck([a, b, a, b, a])).toBeNull();
    expect(detectStuck([a, b, a, b, a, b])).toContain("alternating");
  });

  test("steps count from the last user message, and a failing command is a failed step", () => {
    const log = logOf(user("task"), run("make", "1"), ran(1, "err", 2), run("make", "2"), ran(3, "err", 2), user("try again"), run("make", "3"), ran(6, "err", 2));
    const steps = stepsSinceLastUserMessage(log);
    expect(steps).toHaveLength(1);
    expect(steps[0]?.failed).toBe(true);
  });
});
