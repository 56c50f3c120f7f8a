/**
 * A fake Anthropic Messages API on a real HTTP server (127.0.0.1, ephemeral port), so the real
 * @anthropic-ai/sdk path is exercised: POST /v1/messages as JSON or as SSE streaming (message_start,
 * content_block_start/delta/stop for text and tool_use with input_json_delta, message_delta with the stop
 * reason and usage, message_stop), errors on demand (429, 529, 500, a mid-stream error), slow and hanging
 * replies. Scripted per test with a queue of replies or a function of the request; every request is recorded.
 */

export type FakeTextBlock = { type: "text"; text: string };
export type FakeToolUseBlock = { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };
export type FakeBlock = FakeTextBlock | FakeToolUseBlock;

export type FakeMessageReply = {
  kind: "message";
  content: FakeBlock[];
  stop_reason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence";
  /** Defaults: input ≈ request chars / 4, output ≈ reply chars / 4. */
  usage?: { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };
  /** Waits this long before answering. */
  delayMs?: number;
  /** Never answers: the request stays open until the client goes away. */
  hang?: boolean;
  /** Streaming only: sends message_start, then this error event instead of the content. */
  streamError?: { type: string; message: string };
};
export type FakeErrorReply = { kind: "error"; status: number; type?: string; message?: string; headers?: Record<string, string> };
export type FakeReply = FakeMessageReply | FakeErrorReply;

export type RecordedRequest = {
  index: number;
  body: MessagesRequestBody;
  headers: Record<string, string>;
  /** True once the client dropped the request (an abort). */
  aborted: boolean;
  /** Resolves when the client drops the request. */
  abortedPromise: Promise<void>;
  /** Resolves when the whole reply has been handed to the connection (or the request ended otherwise). */
  responded: Promise<void>;
};

export type MessagesRequestBody = {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: "text"; text: string; cache_control?: { type: string } }>;
  messages: Array<{ role: "user" | "assistant"; content: string | Array<Record<string, unknown>> }>;
  tools?: Array<{ name: string; description?: string; input_schema: Record<string, unknown> }>;
  stream?: boolean;
};

export type Script = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export type FakeAnthropic = {
  /** The base URL for LLM_BASE_URL. */
  url: string;
  requests: RecordedRequest[];
  /** Adds replies to the queue (used when no handler is set). */
  enqueue(...replies: FakeReply[]): void;
  /** Answers every further request with a function of it (instead of the queue). */
  respondWith(script: Script | null): void;
  /** Resolves when at least `count` requests arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest>;
  stop(): Promise<void>;
};

// ---- reply builders ----

let toolIds = 0;

export function text(value: string): FakeTextBlock {
  return { type: "text", text: value };
}

export function toolUse(name: string, input: Record<string, unknown>, id = `toolu_fake_${++toolIds}_${Math.random().toString(36).slice(2, 8)}`): FakeToolUseBlock {
  return { type: "tool_use", id, name, input };
}

/** A reply; its stop reason is tool_use when it calls a tool, end_turn otherwise. */
export function reply(...content: FakeBlock[]): FakeMessageReply {
  return { kind: "message", content, stop_reason: content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn" };
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export function apiError(status: number, message = `fake ${status}`): FakeErrorReply {
  return { kind: "error", status, type: ERROR_TYPES[status] ?? "api_error", message };
}

// ---- the server ----

export async function startFakeAnthropic(initial: FakeReply[] | Script = []): Promise<FakeAnthropic> {
  const queue: FakeReply[] = Array.isArray(initial) ? [...initial] : [];
  let handler: Script | null = Array.isArray(initial) ? null : initial;
  const requests: RecordedRequest[] = [];
  const arrivals = new Set<() => void>();
  let messageIds = 0;

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // A hanging reply must stay open until the client aborts it.
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/messages") return errorResponse(404, "not_found_error", `no route ${req.method} ${url.pathname}`);
      // SDK 1.x sends the key as a bearer token; older clients use x-api-key.
      if (!req.headers.get("x-api-key") && !/^Bearer \S+/.test(req.headers.get("authorization") ?? "")) return errorResponse(401, "authentication_error", "an API key is required (x-api-key or Authorization: Bearer)");
      if (!req.headers.get("anthropic-version")) return errorResponse(400, "invalid_request_error", "anthropic-version header is required");
      let body: MessagesRequestBody;
      try {
        body = (await req.json()) as MessagesRequestBody;
      } catch {
        return errorResponse(400, "invalid_request_error", "the body is not JSON");
      }
      const invalid = validateRequest(body);
      const record = recordRequest(req, body);
      const done = (response: Response) => {
        if (!body.stream || !response.ok) markResponded.get(record)?.();
        return response;
      };
      if (invalid) return done(errorResponse(400, "invalid_request_error", invalid));
      const planned = handler ? await handler(record) : (queue.shift() ?? reply(text("fake-anthropic: no scripted reply left")));
      if (planned.kind === "error") return done(errorResponse(planned.status, planned.type ?? ERROR_TYPES[planned.status] ?? "api_error", planned.message ?? `fake ${planned.status}`, planned.headers));
      if (planned.hang) {
        await record.abortedPromise;
        return done(new Response(null, { status: 499 }));
      }
      if (planned.delayMs) await Promise.race([Bun.sleep(planned.delayMs), record.abortedPromise]);
      if (record.aborted) return done(new Response(null, { status: 499 }));
      const message = buildMessage(`msg_fake_${++messageIds}`, body, planned);
      if (body.stream) return sseResponse(message, planned.streamError, () => markResponded.get(record)?.());
      return done(Response.json(message, { headers: { "request-id": `req_fake_${messageIds}` } }));
    },
  });

  const markResponded = new WeakMap<RecordedRequest, () => void>();

  function recordRequest(req: Request, body: MessagesRequestBody): RecordedRequest {
    let markAborted = () => {};
    let responded = () => {};
    const record: RecordedRequest = {
      index: requests.length,
      body,
      headers: Object.fromEntries(req.headers.entries()),
      aborted: false,
      abortedPromise: new Promise<void>((resolve) => (markAborted = resolve)),
      responded: new Promise<void>((resolve) => (responded = resolve)),
    };
    markResponded.set(record, responded);
    req.signal.addEventListener("abort", () => {
      record.aborted = true;
      markAborted();
    });
    requests.push(record);
    for (const wake of arrivals) wake();
    return record;
  }

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (script) => void (handler = script),
    waitForRequests: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = requests[count - 1];
          if (!found) return false;
          clearTimeout(timer);
          arrivals.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          arrivals.delete(check);
          reject(new Error(`fake-anthropic: timed out waiting for request ${count} (got ${requests.length})`));
        }, timeoutMs);
        if (!check()) arrivals.add(check);
      }),
    stop: async () => {
      await server.stop(true);
    },
  };
}

type ApiMessage = {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: FakeBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
};

function buildMessage(id: string, body: MessagesRequestBody, planned: FakeMessageReply): ApiMessage {
  const usage = planned.usage ?? {};
  return {
    id,
    type: "message",
    role: "assistant",
    model: body.model,
    content: planned.content,
    stop_reason: planned.stop_reason ?? (planned.content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: {
      input_tokens: usage.input_tokens ?? Math.ceil(JSON.stringify(body).length / 4),
      output_tokens: usage.output_tokens ?? Math.max(1, Math.ceil(JSON.stringify(planned.content).length / 4)),
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    },
  };
}

/** The event sequence of the real API's streaming mode. */
function sseEvents(message: ApiMessage, streamError?: { type: string; message: string }): Array<[string, unknown]> {
  const start = { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } };
  const events: Array<[string, unknown]> = [
    ["message_start", { type: "message_start", message: start }],
    ["ping", { type: "ping" }],
  ];
  if (streamError) return [...events, ["error", { type: "error", error: streamError }]];
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      events.push(["content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }]);
      for (const piece of chunks(block.text, 16)) events.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }]);
    } else {
      events.push(["content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } }]);
      events.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } }]);
      for (const piece of chunks(JSON.stringify(block.input), 24)) events.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } }]);
    }
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
  });
  events.push(["message_delta", { type: "message_delta", delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: message.usage.output_tokens } }]);
  events.push(["message_stop", { type: "message_stop" }]);
  return events;
}

function sseResponse(message: ApiMessage, streamError: { type: string; message: string } | undefined, onDone: () => void): Response {
  const encoder = new TextEncoder();
  const events = sseEvents(message, streamError);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = events.shift();
      if (!next) {
        controller.close();
        return onDone();
      }
      controller.enqueue(encoder.encode(`event: ${next[0]}\ndata: ${JSON.stringify(next[1])}\n\n`));
    },
    cancel: onDone,
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": `req_${message.id}` } });
}

function errorResponse(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ type: "error", error: { type, message } }, { status, headers: { "request-id": `req_fake_error_${status}`, ...headers } });
}

function chunks(value: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += size) out.push(value.slice(i, i + size));
  return out.length ? out : [""];
}

/** Every cache_control marker of a request (tools, system blocks, message blocks). */
function cacheControls(body: MessagesRequestBody): unknown[] {
  const blocks: Array<Record<string, unknown>> = [...((body.tools ?? []) as Array<Record<string, unknown>>)];
  if (Array.isArray(body.system)) blocks.push(...(body.system as Array<Record<string, unknown>>));
  for (const message of body.messages) if (Array.isArray(message.content)) blocks.push(...message.content);
  return blocks.map((b) => b.cache_control).filter((c) => c !== undefined);
}

/** A copy of messages or blocks without their prompt-cache markers, for tests about what the model was told. */
export function withoutCacheControl<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, item) => (key === "cache_control" ? undefined : item))) as T;
}

/** The system prompt's text, whether it was sent as a string or as text blocks. */
export function systemText(body: MessagesRequestBody): string {
  if (typeof body.system === "string") return body.system;
  return (body.system ?? []).map((block) => block.text).join("\n");
}

/** The rules of the real API that a client can get wrong: a broken history is a 400, as it would be there. */
function validateRequest(body: MessagesRequestBody): string | null {
  if (typeof body.model !== "string" || !body.model) return "model: Field required";
  if (typeof body.max_tokens !== "number") return "max_tokens: Field required";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: at least one message is required";
  const breakpoints = cacheControls(body);
  if (breakpoints.some((c) => (c as { type?: unknown }).type !== "ephemeral")) return "cache_control.type: Input should be 'ephemeral'";
  if (breakpoints.length > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints.length}.`;
  for (const tool of body.tools ?? []) {
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) return `tools: invalid tool name ${tool.name}`;
    if (tool.input_schema?.type !== "object") return `tools.${tool.name}.input_schema.type: Input should be 'object'`;
  }
  let pendingToolUses: string[] = [];
  for (const [i, message] of body.messages.entries()) {
    const expected = i % 2 === 0 ? "user" : "assistant";
    if (message.role !== expected) return `messages.${i}: roles must alternate between "user" and "assistant", starting with "user"`;
    const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    if (blocks.length === 0) return `messages.${i}: all messages must have non-empty content`;
    for (const block of blocks) if (block.type === "text" && !String(block.text ?? "").trim()) return `messages.${i}: text content blocks must contain non-whitespace text`;
    const results = blocks.filter((b) => b.type === "tool_result").map((b) => String(b.tool_use_id));
    if (message.role === "user") {
      const leading = blocks.findIndex((b) => b.type !== "tool_result");
      if (leading !== -1 && blocks.slice(leading).some((b) => b.type === "tool_result")) return `messages.${i}: tool_result blocks must come first in the user message`;
      const missing = pendingToolUses.filter((id) => !results.includes(id));
      if (missing.length) return `messages.${i}: tool_use ids were found without tool_result blocks immediately after: ${missing.join(", ")}`;
      const unknown = results.filter((id) => !pendingToolUses.includes(id));
      if (unknown.length) return `messages.${i}: unexpected tool_use_id found in tool_result blocks: ${unknown.join(", ")}`;
      pendingToolUses = [];
    } else {
      if (results.length) return `messages.${i}: tool_result blocks are only allowed in user messages`;
      pendingToolUses = blocks.filter((b) => b.type === "tool_use").map((b) => String(b.id));
    }
  }
  if (body.messages.at(-1)?.role !== "user" && pendingToolUses.length) return "the last message has tool_use blocks without results";
  return null;
}
