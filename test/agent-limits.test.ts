import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentHarness, extrasOf, nextState, openConversation, startAgentHarness, states } from "./support/agent-harness.ts";
import { apiError, reply, text, toolUse } from "./support/fake-anthropic.ts";

let h: AgentHarness;

beforeAll(async () => {
  // Small limits so that a few scripted steps reach them; tiny usage keeps cost out of the iteration tests.
  h = await startAgentHarness({ MAX_ITERATIONS: "3", MAX_BUDGET_USD: "0.05", LLM_MAX_RETRIES: "2" });
});
afterAll(() => h.stop());

const cheap = { input_tokens: 10, output_tokens: 5 };

describe("LLM errors", () => {
  test("a 429 is retried: the agent shows rate_limited while it waits, then goes on", async () => {
    const seen = h.script("[t-429]", [apiError(429, "Number of request tokens has exceeded your per-minute rate limit"), reply(toolUse("finish", { message: "ok" }))]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[t-429] go" } });
    await nextState(client, "finished");
    expect(states(client)).toEqual(["running", "rate_limited", "running", "finished"]);
    const limited = client.events().find((f) => extrasOf(f).agent_state === "rate_limited");
    expect(String(extrasOf(limited ?? {}).reason)).toContain("429");
    expect(seen).toHaveLength(2);
    client.close();
  });

  test("overloaded (529) and 5xx are retried until LLM_MAX_RETRIES, then the agent errors with a clear reason", async () => {
    const seen = h.script("[t-529]", [apiError(529, "Overloaded"), apiError(500, "Internal error"), apiError(529, "Overloaded")]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[t-529] go" } });
    const failed = await nextState(client, "error");
    expect(seen).toHaveLength(3);
    expect(String(extrasOf(failed).reason)).toMatch(/failed after 3 attempts: 529 overloaded_error: Overloaded/);
    expect(states(client).filter((s) => s === "rate_limited")).toHaveLength(2);
    client.close();
  });

  test("an error that retrying cannot fix is not retried", async () => {
    const seen = h.script("[t-401]", [apiError(401, "invalid x-api-key")]);
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[t-401] go" } });
    const failed = await nextState(client, "error");
    expect(seen).toHaveLength(1);
    expect(String(extrasOf(failed).reason)).toContain("invalid x-api-key");
    client.close();
  });
});

describe("limits per task", () => {
  test("MAX_ITERATIONS ends the run with a reason naming it; a new user message raises it", async () => {
    const seen = h.script("[t-iter]", (_request, turn) =>
      turn < 5 ? { ...reply(toolUse("execute_bash", { command: `echo step ${turn}` })), usage: cheap } : { ...reply(toolUse("finish", {})), usage: cheap },
    );
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[t-iter] count" } });
    const stopped = await nextState(client, "error");
    expect(String(extrasOf(stopped).reason)).toContain("MAX_ITERATIONS");
    expect(seen).toHaveLength(3);
    expect(client.events().filter((f) => f.action === "run" && f.source === "agent")).toHaveLength(3);

    client.send({ action: "message", args: { content: "keep going" } });
    await nextState(client, "finished");
    expect(seen).toHaveLength(6);
    client.close();
  });

  test("MAX_BUDGET_USD ends the run when this task's cost reaches it", async () => {
    // 10k input tokens of a Sonnet model cost $0.03 a step: the second step passes the $0.05 budget.
    const seen = h.script("[t-budget]", (_request, turn) => ({ ...reply(toolUse("execute_bash", { command: `echo ${turn}` })), usage: { input_tokens: 10_000, output_tokens: 10 } }));
    const metric = async (name: string) => {
      const text = await (await fetch(`${h.server.url}/metrics`)).text();
      return Number(text.split("\n").find((line) => line.startsWith(`${name} `))?.split(" ").pop());
    };
    const inputBefore = await metric('bunhands_llm_tokens_total{kind="input"}');
    const costBefore = await metric("bunhands_llm_cost_usd_total");
    const { client, id } = await openConversation(h);
    client.send({ action: "start", args: { task: "[t-budget] spend" } });
    const stopped = await nextState(client, "error");
    expect(String(extrasOf(stopped).reason)).toContain("MAX_BUDGET_USD");
    expect(seen).toHaveLength(2);
    const usage = extrasOf(stopped).usage as { cost_usd: number; input_tokens: number };
    expect(usage.input_tokens).toBe(20_000);
    expect(usage.cost_usd).toBeCloseTo(0.0603, 6);
    expect(h.server.handle.store.getConversation(id)?.settings.usage).toEqual(usage);
    // The server's /metrics adds every conversation's LLM use up.
    expect((await metric('bunhands_llm_tokens_total{kind="input"}')) - inputBefore).toBe(20_000);
    expect((await metric("bunhands_llm_cost_usd_total")) - costBefore).toBeCloseTo(0.0603, 6);
    client.close();
  });
});

describe("stuck detection", () => {
  // A harness of its own: the stuck runs need more steps than the iteration limit above allows.
  let stuckHarness: AgentHarness;
  beforeAll(async () => {
    stuckHarness = await startAgentHarness({ MAX_ITERATIONS: "50" });
  });
  afterAll(() => stuckHarness.stop());

  async function stuckRun(tag: string, command: (turn: number) => string) {
    const seen = stuckHarness.script(tag, (_request, turn) => ({ ...reply(toolUse("execute_bash", { command: command(turn) })), usage: cheap }));
    const { client } = await openConversation(stuckHarness);
    client.send({ action: "start", args: { task: `${tag} loop` } });
    const failed = await nextState(client, "error");
    client.close();
    return { reason: String(extrasOf(failed).reason), detail: String(extrasOf(failed).detail), requests: seen.length };
  }

  test("the same action and observation 4 times", async () => {
    const { reason, detail, requests } = await stuckRun("[t-stuck-same]", () => "echo same");
    expect(reason).toBe("stuck");
    expect(detail).toContain("4 times");
    expect(requests).toBe(4);
  });

  test("the same failing action 3 times", async () => {
    const { reason, detail, requests } = await stuckRun("[t-stuck-fail]", () => "sh -c 'echo $$; exit 3'");
    expect(reason).toBe("stuck");
    expect(detail).toContain("failed 3 times");
    expect(requests).toBe(3);
  });

  test("an A-B-A-B alternation over 6 steps", async () => {
    const { reason, detail, requests } = await stuckRun("[t-stuck-abab]", (turn) => (turn % 2 === 0 ? "echo ping" : "echo pong"));
    expect(reason).toBe("stuck");
    expect(detail).toContain("alternating");
    expect(requests).toBe(6);
  });

  test("a varied run is not stuck", async () => {
    const seen = stuckHarness.script("[t-not-stuck]", (_request, turn) => (turn < 6 ? reply(toolUse("execute_bash", { command: `echo ${turn}` })) : reply(text("done"))));
    const { client } = await openConversation(stuckHarness);
    client.send({ action: "start", args: { task: "[t-not-stuck] loop" } });
    await nextState(client, "awaiting_user_input");
    expect(seen).toHaveLength(7);
    expect(states(client)).not.toContain("error");
    client.close();
  });

});
