import type Anthropic from "@anthropic-ai/sdk";
import type { ContentBlock, MessageParam, StopReason, Tool as ApiTool } from "@anthropic-ai/sdk/resources/messages";
import { loadAnthropicSdk } from "../entrypoints.ts";
import type { Config } from "../config.ts";
import type { ReplyUsage } from "./pricing.ts";
import { withPromptCache } from "./prompt-cache.ts";

export type LlmRequest = {
  system: string;
  messages: MessageParam[];
  tools: ApiTool[];
};

export type LlmReply = {
  content: ContentBlock[];
  stopReason: StopReason | null;
  usage: ReplyUsage;
};

/** Told before each wait between attempts, so the agent can show `rate_limited`. */
export type RetryNotice = { attempt: number; maxRetries: number; delayMs: number; reason: string };

export type CompleteOptions = {
  signal: AbortSignal;
  onRetry?: (notice: RetryNotice) => void | Promise<void>;
};

/** The LLM gave up (after retries, or on an error that retrying cannot fix). */
export class LlmError extends Error {
  constructor(
    message: string,
    /** True when the prompt was too long for the model: condense and try again. */
    readonly contextTooLong = false,
  ) {
    super(message);
  }
}

const MAX_DELAY_MS = 60_000;

/**
 * The SDK is loaded with the first request, not at start: a server whose agents never run (or have not yet)
 * starts faster and smaller. Its error classes are needed only after a request failed, when it is loaded.
 */
type Sdk = Awaited<ReturnType<typeof loadAnthropicSdk>>;
let sdk: Sdk | undefined;
async function loadSdk(): Promise<Sdk> {
  sdk ??= await loadAnthropicSdk();
  return sdk;
}

/** The model behind one conversation: streaming Messages API calls with our own retry policy. */
export class Llm {
  private client?: Anthropic;

  constructor(
    readonly model: string,
    private readonly config: Pick<Config, "LLM_API_KEY" | "LLM_BASE_URL" | "LLM_MAX_TOKENS" | "LLM_MAX_RETRIES" | "LLM_RETRY_MIN_MS" | "LLM_PROMPT_CACHE">,
  ) {}

  private async getClient(): Promise<Anthropic> {
    if (this.client) return this.client;
    const { default: AnthropicClient } = await loadSdk();
    this.client = new AnthropicClient({
      apiKey: this.config.LLM_API_KEY,
      // Explicit, so that ANTHROPIC_BASE_URL in the server's environment never redirects the agent.
      baseURL: this.config.LLM_BASE_URL ?? "https://api.anthropic.com",
      // Our retries are the ones that count (they drive the rate_limited state).
      maxRetries: 0,
      logLevel: "off",
    });
    return this.client;
  }

  /** One model turn, retried with exponential backoff on 429, 5xx, overloaded and connection errors. */
  async complete(request: LlmRequest, options: CompleteOptions): Promise<LlmReply> {
    const maxRetries = this.config.LLM_MAX_RETRIES;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(request, options.signal);
      } catch (error) {
        if (options.signal.aborted || isAbort(error)) throw abortError();
        const failure = describe(error);
        if (!failure.retryable) throw new LlmError(failure.text, failure.contextTooLong);
        if (attempt >= maxRetries) throw new LlmError(`the LLM request failed after ${maxRetries + 1} attempts: ${failure.text}`);
        const delayMs = backoff(this.config.LLM_RETRY_MIN_MS, attempt, retryAfterMs(error));
        await options.onRetry?.({ attempt: attempt + 1, maxRetries, delayMs, reason: failure.text });
        await sleep(delayMs, options.signal);
      }
    }
  }

  private async once(request: LlmRequest, signal: AbortSignal): Promise<LlmReply> {
    const client = await this.getClient();
    const stream = client.messages.stream(
      {
        model: this.model,
        max_tokens: this.config.LLM_MAX_TOKENS,
        ...(this.config.LLM_PROMPT_CACHE ? withPromptCache(request.system, request.messages, request.tools) : request),
      },
      { signal },
    );
    const message = await stream.finalMessage();
    return {
      content: message.content,
      stopReason: message.stop_reason,
      usage: {
        input_tokens: message.usage.input_tokens ?? 0,
        output_tokens: message.usage.output_tokens ?? 0,
        cache_read_input_tokens: message.usage.cache_read_input_tokens,
        cache_creation_input_tokens: message.usage.cache_creation_input_tokens,
      },
    };
  }
}

type Failure = { text: string; retryable: boolean; contextTooLong: boolean };

const RETRYABLE_TYPES = new Set(["overloaded_error", "api_error", "rate_limit_error", "timeout_error"]);

function describe(error: unknown): Failure {
  if (!sdk) return { text: error instanceof Error ? error.message : String(error), retryable: false, contextTooLong: false };
  if (error instanceof sdk.APIConnectionError) return { text: `cannot reach the LLM (${error.message})`, retryable: true, contextTooLong: false };
  if (error instanceof sdk.APIError) {
    const status = error.status;
    const text = `${status ?? "stream"} ${error.type ?? "error"}: ${error.apiMessage ?? error.message}`;
    const retryable = status === undefined ? RETRYABLE_TYPES.has(error.type ?? "") : status === 408 || status === 429 || status >= 500;
    const contextTooLong = status === 400 && /prompt is too long|context (window|length)|too many tokens/i.test(error.apiMessage ?? error.message);
    return { text, retryable, contextTooLong };
  }
  return { text: error instanceof Error ? error.message : String(error), retryable: false, contextTooLong: false };
}

function retryAfterMs(error: unknown): number | undefined {
  if (!sdk || !(error instanceof sdk.APIError) || !error.headers) return undefined;
  const ms = Number(error.headers.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(error.headers.get("retry-after"));
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return undefined;
}

/** minMs, 2×, 4×… with ±20% jitter, never below what the server asked for, capped at a minute. */
export function backoff(minMs: number, attempt: number, serverAskedMs?: number): number {
  const base = minMs * 2 ** attempt * (0.8 + Math.random() * 0.4);
  return Math.round(Math.min(MAX_DELAY_MS, Math.max(base, serverAskedMs ?? 0)));
}

function abortError(): Error {
  return new DOMException("the LLM request was aborted", "AbortError");
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException ? error.name === "AbortError" : sdk !== undefined && error instanceof sdk.APIUserAbortError;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
