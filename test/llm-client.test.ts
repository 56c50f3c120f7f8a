import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { isAbort, Llm, LlmError, type RetryNotice } from "../src/agent/llm.ts";
import { addUsage, costOf, emptyUsage } from "../src/agent/pricing.ts";
import { codeactApiTools } from "../src/agent/tools/index.ts";
import { loadConfig } from "../src/config.ts";
import { apiError, type FakeAnthropic, reply, startFakeAnthropic, text, toolUse } from "./support/fake-anthropic.ts";

let fake: FakeAnthropic;
let llm: Llm;

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  fake.respondWith(null);
  const config = loadConfig({ LLM_API_KEY: "sk-test", LLM_BASE_URL: fake.url, LLM_MAX_RETRIES: "2", LLM_RETRY_MIN_MS: "1", LLM_MAX_TOKENS: "1234" });
  llm = new Llm("claude-sonnet-5-5", config);
});

const request = { system: "be brief", messages: [{ role: "user" as const, content: "hi" }], tools: codeactApiTools() };
const options = (onRetry?: (n: RetryNotice) => void) => ({ signal: new AbortController().signal, onRetry });

describe("Llm over the real SDK against the fake Messages API", () => {
  test("streams text and tool_use blocks back, with usage, and sends model, max_tokens, system and tools", async () => {
    fake.enqueue({ ...reply(text("Let me look."), toolUse("execute_bash", { command: "ls -la /tmp" }, "toolu_1")), usage: { input_tokens: 120, output_tokens: 30 } });
    const answer = await llm.complete(request, options());
    expect(answer.content).toHaveLength(2);
    expect(answer.content[0]).toMatchObject({ type: "text", text: "Let me look." });
    expect(answer.content[1]).toMatchObject({ type: "tool_use", id: "toolu_1", name: "execute_bash", input: { command: "ls -la /tmp" } });
    expect(answer.stopReason).toBe("tool_use");
    expect(answer.usage.input_tokens).toBe(120);
    expect(answer.usage.output_tokens).toBe(30);
    const sent = fake.requests[0]?.body;
    expect(sent?.stream).toBe(true);
    expect(sent?.model).toBe("claude-sonnet-5-5");
    expect(sent?.max_tokens).toBe(1234);
    expect(sent?.system).toEqual([{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }]);
    expect(sent?.tools?.map((t) => t.name)).toEqual(["execute_bash", "str_replace_editor", "browser", "think", "finish"]);
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-test");
  });

  test("prompt caching: the system prompt and the last two user turns carry cache_control; the caller's history is untouched", async () => {
    fake.enqueue(reply(text("ok")));
    const history = [
      { role: "user" as const, content: "first task" },
      { role: "assistant" as const, content: [{ type: "tool_use" as const, id: "toolu_a", name: "execute_bash", input: { command: "ls" } }] },
      { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: "toolu_a", content: "a.txt" }] },
      { role: "assistant" as const, content: "done with ls" },
      { role: "user" as const, content: [{ type: "text" as const, text: "now this" }, { type: "text" as const, text: "and that" }] },
    ];
    const before = JSON.stringify(history);
    await llm.complete({ ...request, messages: history }, options());
    expect(JSON.stringify(history)).toBe(before);
    const sent = fake.requests[0]?.body;
    const marked = (block: unknown) => (block as { cache_control?: unknown }).cache_control;
    expect(sent?.system).toEqual([{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }]);
    // The first user turn is left as it was; the last two have their last block marked, and only that one.
    expect(sent?.messages[0]?.content).toBe("first task");
    expect(sent?.messages[2]?.content).toEqual([{ type: "tool_result", tool_use_id: "toolu_a", content: "a.txt", cache_control: { type: "ephemeral" } }]);
    const last = sent?.messages[4]?.content as unknown[];
    expect(last.map(marked)).toEqual([undefined, { type: "ephemeral" }]);
    expect(sent?.messages.filter((m) => m.role === "assistant").flatMap((m) => (Array.isArray(m.content) ? m.content : [])).some(marked)).toBe(false);
  });

  test("with LLM_PROMPT_CACHE=off nothing carries cache_control (an endpoint that refuses the field)", async () => {
    fake.enqueue(reply(text("ok")));
    const plain = new Llm("claude-sonnet-5-5", loadConfig({ LLM_API_KEY: "sk-test", LLM_BASE_URL: fake.url, LLM_PROMPT_CACHE: "off" }));
    await plain.complete({ ...request, messages: [{ role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", content: "second" }] }, options());
    const sent = fake.requests[0]?.body;
    expect(sent?.system).toBe("be brief");
    expect(JSON.stringify(sent)).not.toContain("cache_control");
  });

  test("tool input schemas are JSON schemas generated from the zod schemas", () => {
    const bash = codeactApiTools().find((t) => t.name === "execute_bash");
    expect(bash?.input_schema.type).toBe("object");
    expect(bash?.input_schema.required).toEqual(["command"]);
    expect(Object.keys(bash?.input_schema.properties ?? {})).toEqual(["command", "is_input", "timeout"]);
    const editor = codeactApiTools().find((t) => t.name === "str_replace_editor");
    expect((editor?.input_schema.properties as Record<string, { enum?: string[] }>).command?.enum).toEqual(["view", "create", "str_replace", "insert", "undo_edit"]);
    expect("$schema" in (editor?.input_schema ?? {})).toBe(false);
  });

  test("retries a 429 and a 529, telling the caller before each wait, then succeeds", async () => {
    fake.enqueue(apiError(429, "slow down"), apiError(529, "Overloaded"), reply(text("done")));
    const notices: RetryNotice[] = [];
    const answer = await llm.complete(request, options((n) => notices.push(n)));
    expect(answer.content[0]).toMatchObject({ type: "text", text: "done" });
    expect(fake.requests).toHaveLength(3);
    expect(notices.map((n) => n.attempt)).toEqual([1, 2]);
    expect(notices[0]?.reason).toContain("429");
    expect(notices[1]?.reason).toContain("overloaded_error");
  });

  test("an overloaded error in the middle of a stream is retried too", async () => {
    fake.enqueue({ ...reply(text("x")), streamError: { type: "overloaded_error", message: "Overloaded" } }, reply(text("second try")));
    const answer = await llm.complete(request, options());
    expect(answer.content[0]).toMatchObject({ text: "second try" });
    expect(fake.requests).toHaveLength(2);
  });

  test("gives up after LLM_MAX_RETRIES with an error that says why", async () => {
    fake.respondWith(() => apiError(500, "boom"));
    const error = await llm.complete(request, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as Error).message).toContain("failed after 3 attempts");
    expect((error as Error).message).toContain("boom");
    expect(fake.requests).toHaveLength(3);
  });

  test("does not retry what retrying cannot fix (401), and flags a prompt that is too long", async () => {
    fake.enqueue(apiError(401, "invalid x-api-key"));
    const auth = await llm.complete(request, options()).catch((e: unknown) => e);
    expect((auth as LlmError).message).toContain("invalid x-api-key");
    expect(fake.requests).toHaveLength(1);
    fake.enqueue(apiError(400, "prompt is too long: 250000 tokens > 200000 maximum"));
    const long = await llm.complete(request, options()).catch((e: unknown) => e);
    expect((long as LlmError).contextTooLong).toBe(true);
  });

  test("an abort ends a request that hangs, and the server sees the connection dropped", async () => {
    fake.enqueue({ ...reply(text("never")), hang: true });
    const abort = new AbortController();
    const pending = llm.complete(request, { signal: abort.signal }).catch((e: unknown) => e);
    const seen = await fake.waitForRequests(1);
    abort.abort();
    expect(isAbort(await pending)).toBe(true);
    await seen.abortedPromise;
    expect(seen.aborted).toBe(true);
  });

  test("an abort also ends the wait between retries", async () => {
    const config = loadConfig({ LLM_API_KEY: "k", LLM_BASE_URL: fake.url, LLM_MAX_RETRIES: "3", LLM_RETRY_MIN_MS: "60000" });
    const slow = new Llm("claude-haiku-5-5", config);
    fake.enqueue(apiError(429));
    const abort = new AbortController();
    const pending = slow.complete(request, { signal: abort.signal, onRetry: () => abort.abort() }).catch((e: unknown) => e);
    expect(isAbort(await pending)).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("the fake Messages API itself", () => {
  test("answers a non-streaming request with the JSON message, and rejects a broken history as the real API would", async () => {
    const client = new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0 });
    fake.enqueue({ ...reply(toolUse("think", { thought: "t" }, "toolu_j")), usage: { input_tokens: 7, output_tokens: 3 } });
    const message = await client.messages.create({ model: "claude-haiku-5-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    expect(message).toMatchObject({ type: "message", role: "assistant", stop_reason: "tool_use", usage: { input_tokens: 7, output_tokens: 3 } });
    expect(message.content[0]).toMatchObject({ type: "tool_use", id: "toolu_j", name: "think", input: { thought: "t" } });
    const broken = await client.messages
      .create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "tool_use", id: "x", name: "think", input: {} }] }, { role: "user", content: "no result" }] })
      .catch((e: unknown) => e);
    expect(String(broken)).toContain("tool_use ids were found without tool_result blocks");
  });
});

describe("pricing", () => {
  test("cost per model family, accumulated per conversation", () => {
    expect(costOf("claude-sonnet-5-5", { input_tokens: 1_000_000, output_tokens: 0 })).toBeCloseTo(3);
    expect(costOf("claude-haiku-4-5", { input_tokens: 0, output_tokens: 1_000_000 })).toBeCloseTo(5);
    expect(costOf("claude-opus-5", { input_tokens: 1_000_000, output_tokens: 1_000_000 })).toBeCloseTo(30);
    const total = addUsage(addUsage(emptyUsage(), "claude-sonnet-5-5", { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 500 }), "claude-sonnet-5-5", { input_tokens: 10, output_tokens: 1 });
    expect(total).toEqual({ input_tokens: 1010, output_tokens: 101, cache_read_tokens: 500, cost_usd: 0.004695 });
  });
});
