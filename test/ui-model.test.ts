import { describe, expect, test } from "bun:test";
import { appendEvents, commandRunning, emptyLog, foldEvents, latestAgentState, pendingConfirmation, reuseUnchanged } from "../frontend/src/eventModel.ts";
import { lineCount } from "../frontend/src/format.ts";

describe("eventModel (the timeline's folding, without a browser)", () => {
  const at = "2025-01-01T00:00:00.000Z";
  const run = { id: 0, timestamp: at, source: "user" as const, message: "", action: "run" as const, args: { command: "ls" } };
  const output = { id: 1, timestamp: at, source: "environment" as const, message: "", observation: "run" as const, content: "a.txt", extras: { exit_code: 0 }, cause: 0 };
  const stateChange = { id: 2, timestamp: at, source: "environment" as const, message: "", observation: "agent_state_changed" as const, content: "", extras: { agent_state: "error", reason: "no key" }, cause: null };

  test("appendEvents keeps every id once and in order, whatever order and repeats they come in", () => {
    const once = appendEvents(emptyLog, [output, run]);
    const again = appendEvents(once, [run, output, output]);
    expect(again).toBe(once);
    expect(once.list.map((e) => e.id)).toEqual([0, 1]);
    const more = appendEvents(once, [stateChange, stateChange]);
    expect(more.list.map((e) => e.id)).toEqual([0, 1, 2]);
    expect(more.maxId).toBe(2);
  });

  test("reuseUnchanged keeps the previous render's object for every item that did not change, so only new cards render", () => {
    const think = { id: 3, timestamp: at, source: "agent" as const, message: "", action: "think" as const, args: { thought: "next" } };
    const first = appendEvents(emptyLog, [run]);
    const before = reuseUnchanged([], foldEvents(first.list));
    // The run's output arrives: its card changes; a new think card comes after it.
    const second = appendEvents(first, [output, stateChange, think]);
    const after = reuseUnchanged(before, foldEvents(second.list));
    expect(after.map((item) => item.id)).toEqual([0, 2, 3]);
    expect(after[0]).not.toBe(before[0]);
    expect(after[0]?.kind === "action" ? after[0].observation : null).toBe(output);
    // Nothing new: every item is the same object as before, the array aside.
    const third = appendEvents(second, [think]);
    expect(third).toBe(second);
    const again = reuseUnchanged(after, foldEvents([...second.list]));
    again.forEach((item, i) => expect(item).toBe(after[i]!));
  });

  test("commandRunning: a run with no answer yet, or answered `running: true`, is still running", () => {
    expect(commandRunning(emptyLog)).toBe(false);
    expect(commandRunning(appendEvents(emptyLog, [run]))).toBe(true);
    expect(commandRunning(appendEvents(emptyLog, [run, output]))).toBe(false);
    const still = { ...output, extras: { exit_code: -1, running: true } };
    expect(commandRunning(appendEvents(emptyLog, [run, still]))).toBe(true);
    // Later events that are not about commands (a state change) do not hide it.
    expect(commandRunning(appendEvents(emptyLog, [run, still, stateChange]))).toBe(true);
    const interrupt = { ...run, id: 3, args: { command: "C-c", is_input: true } };
    const interrupted = { ...output, id: 4, cause: 3, extras: { exit_code: 130, running: false } };
    expect(commandRunning(appendEvents(emptyLog, [run, still, stateChange, interrupt]))).toBe(true);
    expect(commandRunning(appendEvents(emptyLog, [run, still, stateChange, interrupt, interrupted]))).toBe(false);
  });

  test("foldEvents pairs an observation with its action by cause and keeps notable states", () => {
    const items = foldEvents([run, output, stateChange]);
    expect(items.map((item) => item.kind)).toEqual(["action", "state"]);
    const first = items[0];
    expect(first?.kind === "action" ? first.observation?.content : null).toBe("a.txt");
    expect(latestAgentState([run, output, stateChange], null)).toBe("error");
  });

  test("a held action is the pending confirmation; the rejection that follows gets a line of its own", () => {
    const held = { ...run, id: 3, source: "agent" as const, args: { command: "rm -rf ." } };
    const hold = { ...stateChange, id: 4, extras: { agent_state: "awaiting_user_confirmation" }, cause: 3 };
    const log = appendEvents(emptyLog, [run, output, held, hold]);
    expect(pendingConfirmation(log)?.id).toBe(3);
    const reject = { ...run, id: 5, action: "change_agent_state" as const, args: { agent_state: "user_rejected" } };
    const rejected = { ...output, id: 6, observation: "user_rejected" as const, content: "rejected", cause: 3 };
    const waiting = { ...stateChange, id: 7, extras: { agent_state: "rejected", reason: "send a message to go on" }, cause: 5 };
    const after = appendEvents(log, [reject, rejected, waiting]);
    expect(pendingConfirmation(after)).toBeNull();
    const items = foldEvents(after.list);
    expect(items.map((item) => `${item.kind}:${item.id}`)).toEqual(["action:0", "action:3", "action:5", "state:7"]);
    const heldItem = items[1];
    expect(heldItem?.kind === "action" ? heldItem.observation?.observation : null).toBe("user_rejected");
  });
});

describe("format (what the timeline's cards say)", () => {
  test("lineCount: a final newline ends the last line, it does not start another", () => {
    expect(lineCount("")).toBe("0 lines");
    expect(lineCount("one")).toBe("1 line");
    expect(lineCount("one\n")).toBe("1 line");
    expect(lineCount("# Todo\n- one\n- two\n")).toBe("3 lines");
    expect(lineCount("a\n\nb")).toBe("3 lines");
  });
});
