import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../src/db/client.ts";
import { action } from "../src/events/factory.ts";
import type { NewEvent, NewObservationEvent, ObservationEvent } from "../src/events/schema.ts";
import { SqliteEventStore } from "../src/events/sqlite-store.ts";
import type { CommittedEvent } from "../src/events/store.ts";
import { EventStream } from "../src/events/stream.ts";
import type { Runtime } from "../src/runtime/runtime.ts";
import { ActionExecutor } from "../src/server/action-executor.ts";
import { ConfirmationGate } from "../src/server/confirmation-gate.ts";
import { riskLevel } from "../src/security/types.ts";
import { Metrics } from "../src/server/metrics.ts";
import { makeRuntime, makeSandboxBase } from "./support/sandbox-env.ts";

/** A real SQLite store whose commits wait until the test lets them through (or fail when told to). */
class HeldStore extends SqliteEventStore {
  private release!: () => void;
  private held = new Promise<void>((resolve) => (this.release = resolve));
  failNext = false;

  override async append(conversationId: string, events: NewEvent[], answer?: NewObservationEvent): Promise<CommittedEvent[]> {
    await this.held;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("disk full (test)");
    }
    return super.append(conversationId, events, answer);
  }

  letCommitsThrough(): void {
    this.release();
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(confirmationMode = false) {
  const base = await makeSandboxBase();
  cleanups.push(base.cleanup);
  const store = new HeldStore(openDatabase(join(base.dir, "events.sqlite")));
  cleanups.push(() => store.close());
  const at = new Date().toISOString();
  store.createConversation({ conversation_id: "c", title: "c", agent_state: "awaiting_user_input", runtime: "local", created_at: at, last_activity_at: at, confirmation_mode: confirmationMode, workspace: base.dir, settings: {} });
  const frames: string[] = [];
  const stream = new EventStream("c", store, (_topic, frame) => frames.push(frame));
  const runtime: Runtime = makeRuntime("local-plain", base);
  cleanups.push(() => runtime.close());
  const low = () => ({ risk: "low" as const, level: riskLevel("low"), reasons: [] });
  const gate = new ConfirmationGate(stream, low, () => {
    throw new Error("a low-risk action never asks the controller");
  }, confirmationMode);
  const executor = new ActionExecutor({ stream, config: base.config, runtime, gate, metrics: new Metrics() });
  cleanups.push(() => executor.close());
  await runtime.start();
  return { store, stream, runtime, executor, frames, marker: join(runtime.hostWorkspace, "ran") };
}

describe("ActionExecutor: nothing runs before its action is on record", () => {
  test("a run waits for its action's commit; the action frame leaves first, then the observation with its cause", async () => {
    const { store, stream, frames, marker } = await setUp();
    const appended = stream.append(action("user", "run", { command: "touch ran && echo done" }));
    await Bun.sleep(300);
    expect(existsSync(marker)).toBe(false);
    expect(frames).toEqual([]);

    const observed = stream.waitFor((e): e is ObservationEvent => "observation" in e && e.observation === "run");
    store.letCommitsThrough();
    const stored = await appended;
    const answer = await observed;
    expect(existsSync(marker)).toBe(true);
    expect(answer.cause).toBe(stored.id);
    expect(answer.content).toContain("done");
    expect(answer.extras.exit_code).toBe(0);
    expect(frames.map((f) => JSON.parse(f).id)).toEqual([stored.id, answer.id]);
  });

  test("a run whose action could not be stored never runs, and the conversation goes on", async () => {
    const { store, stream, executor, marker } = await setUp();
    store.failNext = true;
    const appended = stream.append(action("user", "run", { command: "touch ran" }));
    store.letCommitsThrough();
    await expect(appended).rejects.toThrow("disk full");
    await Bun.sleep(300);
    expect(existsSync(marker)).toBe(false);
    expect(executor.active).toBe(false);
    expect(store.latestId("c")).toBe(-1);

    const next = await stream.append(action("user", "run", { command: "echo next" }));
    const answer = await stream.waitForObservation(next.id);
    expect(answer.content).toContain("next");
    expect(store.read("c").map((e) => e.id)).toEqual([0, 1]);
  });

  test("in confirmation mode too, a run waits for its commit (the gate needs the stored action)", async () => {
    const { store, stream, marker } = await setUp(true);
    const appended = stream.append(action("user", "run", { command: "touch ran" }));
    await Bun.sleep(300);
    expect(existsSync(marker)).toBe(false);
    store.letCommitsThrough();
    const stored = await appended;
    const answer = await stream.waitForObservation(stored.id);
    expect(answer.observation).toBe("run");
    expect(existsSync(marker)).toBe(true);
  });
});
