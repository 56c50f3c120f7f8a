import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { reply, startFakeAnthropic, text, toolUse, type FakeAnthropic } from "./support/fake-anthropic.ts";
import { tempDir } from "./support/temp.ts";

let fake: FakeAnthropic;
const dir = tempDir();

beforeAll(async () => {
  fake = await startFakeAnthropic((request) => {
    const firstUser = JSON.stringify(request.body.messages[0] ?? "");
    const step = request.body.messages.length;
    if (firstUser.includes("[fail]")) return reply(text("I cannot do that."));
    if (step === 1) return reply(toolUse("str_replace_editor", { command: "create", path: "hello.sh", file_text: "echo hello\n" }));
    if (step === 3) return reply(toolUse("execute_bash", { command: "sh hello.sh" }));
    return reply(toolUse("finish", { message: "done" }));
  });
});
afterAll(async () => {
  await fake.stop();
  dir.cleanup();
});

function runHeadless(task: string, extraEnv: Record<string, string> = {}) {
  const proc = Bun.spawn(["bun", "src/main.ts", "run", task], {
    cwd: join(import.meta.dir, ".."),
    env: { ...process.env, LLM_API_KEY: "test-key-123456", LLM_BASE_URL: fake.url, STATE_DIR: join(dir.path, "state"), WORKSPACE_BASE: join(dir.path, "ws"), RUNTIME: "local", POOL_SIZE: "0", ...extraEnv },
    stdout: "pipe",
    stderr: "pipe",
  });
  return Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
}

describe("headless mode: bunhands run TASK", () => {
  test("runs a task to the end, one JSON event per line, exit 0 when finished", async () => {
    const [code, stdout, stderr] = await runHeadless("write hello.sh and run it");
    expect(stderr).not.toContain("test-key-123456");
    expect(code).toBe(0);
    const events = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i));
    const run = events.find((e) => e.observation === "run");
    expect(String(run?.content)).toContain("hello");
    expect(events.at(-1)?.observation).toBe("agent_state_changed");
    expect((events.at(-1)?.extras as Record<string, unknown>).agent_state).toBe("finished");
    expect(stdout).not.toContain("test-key-123456");
  });

  test("exits non-zero when the agent does not finish", async () => {
    const [code, stdout] = await runHeadless("[fail] do the impossible");
    expect(code).toBe(1);
    expect(stdout).toContain("I cannot do that.");
  });

  test("exits 2 without a task, and non-zero without an LLM key", async () => {
    const [code] = await runHeadless("");
    expect(code).toBe(2);
    const [noKey, stdout] = await runHeadless("anything", { LLM_API_KEY: "" });
    expect(noKey).toBe(1);
    expect(stdout).toContain("LLM_API_KEY");
  });
});
