/** Shared set-up of the agent suites: the real server, wired to the fake Anthropic API, and a script per conversation. */
import { startTestServer, type TestServer } from "./server.ts";
import { type Frame, connectClient, type TestClient } from "./ws-client.ts";
import { type FakeAnthropic, type FakeReply, type RecordedRequest, reply, startFakeAnthropic, text, withoutCacheControl } from "./fake-anthropic.ts";

export type AgentHarness = {
  server: TestServer;
  fake: FakeAnthropic;
  /** Answers the requests of the conversation whose task contains `tag` with these replies, in order, or a function. */
  script(tag: string, replies: FakeReply[] | ((request: RecordedRequest, turn: number) => FakeReply | Promise<FakeReply>)): RecordedRequest[];
  /** Resolves with the n-th request (1-based) a script has seen, once it arrived. */
  requestOf(seen: RecordedRequest[], n: number, timeoutMs?: number): Promise<RecordedRequest>;
  stop(): Promise<void>;
};

/** A real server (local sandbox, temp dirs) whose LLM is the fake, with fast retries. */
export async function startAgentHarness(env: Record<string, string> = {}): Promise<AgentHarness> {
  const fake = await startFakeAnthropic();
  const server = await startTestServer({ LLM_API_KEY: "sk-fake-test", LLM_BASE_URL: fake.url, LLM_RETRY_MIN_MS: "1", LLM_MAX_RETRIES: "2", ...env });
  const arrivals = new Set<() => void>();
  const routes = new Map<string, { next: (request: RecordedRequest) => FakeReply | Promise<FakeReply>; seen: RecordedRequest[] }>();
  // Conversations share one fake: each request is routed by a tag in the conversation's first message.
  fake.respondWith((request) => {
    const task = firstUserText(request);
    for (const [tag, route] of routes) {
      if (!task.includes(tag)) continue;
      route.seen.push(request);
      for (const wake of arrivals) wake();
      return route.next(request);
    }
    return reply(text(`fake-anthropic: no script for task ${JSON.stringify(task.slice(0, 80))}`));
  });
  return {
    server,
    fake,
    script(tag, replies) {
      const seen: RecordedRequest[] = [];
      const queue = Array.isArray(replies) ? [...replies] : null;
      const next = (request: RecordedRequest) => {
        if (!queue) return (replies as (r: RecordedRequest, turn: number) => FakeReply | Promise<FakeReply>)(request, seen.length - 1);
        return queue.shift() ?? reply(text(`fake-anthropic: script ${tag} has no reply left`));
      };
      routes.set(tag, { next, seen });
      return seen;
    },
    requestOf: (seen, n, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = seen[n - 1];
          if (!found) return;
          clearTimeout(timer);
          arrivals.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          arrivals.delete(check);
          reject(new Error(`timed out waiting for request ${n} of a script (got ${seen.length})`));
        }, timeoutMs);
        arrivals.add(check);
        check();
      }),
    async stop() {
      await server.stop();
      await fake.stop();
    },
  };
}

export function firstUserText(request: RecordedRequest): string {
  const first = request.body.messages[0];
  if (!first) return "";
  if (typeof first.content === "string") return first.content;
  return first.content.map((b) => (b.type === "text" ? String(b.text) : "")).join("\n");
}

type ToolResult = { tool_use_id: string; content: string; is_error?: boolean };

/** The tool_result blocks of the last user turn of a request (prompt-cache markers left out). */
export function lastToolResults(request: RecordedRequest): ToolResult[] {
  const last = request.body.messages.at(-1);
  if (!last || typeof last.content === "string") return [];
  return withoutCacheControl(last.content.filter((b) => b.type === "tool_result")) as ToolResult[];
}

/** Every tool_result block of a request, in order (prompt-cache markers left out). */
export function allToolResults(request: RecordedRequest): ToolResult[] {
  return withoutCacheControl(request.body.messages.flatMap((m) => (typeof m.content === "string" ? [] : m.content.filter((b) => b.type === "tool_result")))) as ToolResult[];
}

/** Where each client's conversation was initialized: the events a test looks at come after it. */
const initializedAt = new WeakMap<TestClient, number>();

/** A new conversation, initialized (loading, then awaiting_user_input), ready for `start`. */
export async function openConversation(harness: AgentHarness, initialize: Record<string, unknown> = {}): Promise<{ client: TestClient; id: string }> {
  const client = await connectClient(harness.server.wsUrl);
  const hello = await client.nextFrame((f) => f.type === "connected");
  client.send({ action: "initialize", args: initialize });
  const ready = await client.nextFrame((f) => stateOf(f) === "awaiting_user_input");
  initializedAt.set(client, ready.id as number);
  return { client, id: String(hello.conversation_id) };
}

/** The events since the conversation was initialized. */
export function eventsOf(client: TestClient): Frame[] {
  const after = initializedAt.get(client) ?? -1;
  return client.events().filter((f) => (f.id as number) > after);
}

export const stateOf = (f: Frame): string | undefined => (f.observation === "agent_state_changed" ? String((f.extras as Frame).agent_state) : undefined);

/** The next agent_state_changed frame with this state. */
export function nextState(client: TestClient, state: string, timeoutMs = 15_000): Promise<Frame> {
  return client.nextFrame((f) => stateOf(f) === state, timeoutMs);
}

/** The agent states seen so far (after initialization), in order. */
export function states(client: TestClient): string[] {
  return eventsOf(client).flatMap((f) => stateOf(f) ?? []);
}

export const extrasOf = (f: Frame): Frame => (f.extras ?? {}) as Frame;
export const argsOf = (f: Frame): Frame => (f.args ?? {}) as Frame;
