import { configSchema, type Config } from "./config.ts";

// `--help` only: kept out of config.ts, which every start loads.

/** What each setting does: typed over the schema, so a new setting without a line fails the type check. */
const SETTING_MEANINGS: Record<keyof Config, string> = {
  PORT: "port to listen on (0 picks a free one)",
  HOST: "address to listen on; a non-loopback one without SESSION_API_KEY prints a warning",
  LLM_API_KEY: "Anthropic API key; without it the agent cannot start (direct actions still work)",
  LLM_MODEL: "model of the agent (initialize's `model` overrides it per conversation)",
  LLM_BASE_URL: "an Anthropic-compatible endpoint instead of Anthropic's",
  LLM_MAX_RETRIES: "retries of a failed LLM request (429, 5xx, network)",
  LLM_RETRY_MIN_MS: "first retry delay, doubled each time (a Retry-After from the API wins)",
  LLM_MAX_TOKENS: "max_tokens of each LLM response",
  LLM_CONTEXT_TOKENS: "input tokens the agent's history may take; older steps are condensed past it",
  LLM_PROMPT_CACHE: "prompt-cache breakpoints in requests (off for an endpoint that refuses cache_control)",
  WORKSPACE_BASE: "each conversation works in WORKSPACE_BASE/<conversation_id>",
  STATE_DIR: "the SQLite file and the server's pid file; one server per STATE_DIR",
  RUNTIME: "sandbox: docker, local, or auto (Docker when the engine answers and the image exists)",
  SANDBOX_IMAGE: "Docker image of the sandboxes (scripts/sandbox-image builds it)",
  SANDBOX_NETWORK: "Docker network mode of the sandboxes (none, bridge, host…)",
  SANDBOX_MEMORY_MB: "memory limit of a Docker sandbox",
  SANDBOX_PIDS: "process limit of a Docker sandbox",
  SANDBOX_CPUS: "CPU limit of a Docker sandbox",
  SANDBOX_BWRAP: "local sandbox under bubblewrap: auto (when it works here), on (required) or off",
  POOL_SIZE: "Docker sandboxes kept started ahead, so a new conversation's first command is fast",
  SOFT_TIMEOUT_S: "a command silent this long returns with running: true (it keeps running)",
  COMMAND_TIMEOUT_S: "hard limit of a command unless its action sets timeout (at most 600)",
  OUTPUT_CAP_CHARS: "longer command output is cut in the middle",
  SESSION_API_KEY: "when set, every route but /health and the UI, and every WebSocket, needs it",
  CORS_ORIGINS: "origins (https://app.example.com) or * whose pages may call the API and open /ws",
  MAX_UPLOAD_BYTES: "largest uploaded file",
  ALLOWED_UPLOAD_TYPES: "uploads allowed, as extensions (.py) or MIME types (image/*); empty: any",
  CONVERSATION_IDLE_S: "a conversation with no client and no work is closed after this (its events stay)",
  MAX_CONVERSATIONS: "live conversations at once",
  MAX_ITERATIONS: "agent steps per task before it stops and waits for the user",
  MAX_BUDGET_USD: "LLM cost per task before the agent stops and waits for the user",
  CONFIRMATION_MODE: "new conversations hold high-risk actions for the user's confirmation",
  RATE_LIMIT_HTTP_PER_MIN: "HTTP requests per minute of one client address",
  RATE_LIMIT_WS_PER_S: "WebSocket frames per second of one socket",
  BROWSE_TIMEOUT_S: "time limit of a browse",
  BROWSE_MAX_BYTES: "largest page a browse reads",
  SHUTDOWN_GRACE_S: "on SIGTERM, how long running commands may finish",
  LOG_LEVEL: "debug, info, warn, error or silent: one JSON line per connection, action and error, on stderr",
};

/** Settings with their defaults and meanings, for `--help`. */
export function describeSettings(): Array<{ name: string; default: string; meaning: string }> {
  const defaults = configSchema.parse({}, { jitless: true });
  return (Object.keys(configSchema.shape) as Array<keyof Config>).map((name) => {
    const value = (defaults as Record<string, unknown>)[name];
    const shown = value === undefined ? "(unset)" : Array.isArray(value) ? value.join(",") || "(empty)" : String(value);
    return { name, default: shown, meaning: SETTING_MEANINGS[name] };
  });
}
