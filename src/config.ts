import { homedir } from "node:os";
import { join, resolve } from "node:path";
import * as z from "zod/mini";
import englishMessages from "zod/v4/locales/en.js";

/** The newest Sonnet the installed @anthropic-ai/sdk lists (not deprecated). */
export const DEFAULT_MODEL = "claude-sonnet-5-5";

// zod/mini rather than zod's classic API: the settings are read before anything else at every start, and
// a mini schema is several times cheaper to build (no methods bound onto each of its ~150 parts).
const number = () => z.coerce.number();
const port = number().check(z.int(), z.minimum(0), z.maximum(65535));
const positiveInt = number().check(z.int(), z.positive());
const nonNegativeInt = number().check(z.int(), z.minimum(0));
const positive = number().check(z.positive());
const BOOL_WORDS = ["1", "0", "true", "false", "yes", "no", "on", "off"] as const;
const bool = z.pipe(
  z.enum(BOOL_WORDS),
  z.transform((v: (typeof BOOL_WORDS)[number]) => ["1", "true", "yes", "on"].includes(v)),
);
const csv = z.pipe(
  z.string(),
  z.transform((v: string) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ),
);
// An Origin header is scheme://host[:port]; an entry without its scheme, or with a path, would never match.
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+\/?$/i;
const originList = z.pipe(
  csv,
  z.array(
    z.string().check(
      z.refine((entry: string) => entry === "*" || ORIGIN.test(entry), { error: 'each entry must be "*" or an origin such as https://app.example.com (scheme and host, no path)' }),
    ),
  ),
);
const optionalString = z.pipe(
  z.optional(z.string()),
  z.transform((v: string | undefined) => (v ? v : undefined)),
);
const nonEmpty = z.string().check(z.minLength(1));
const withDefault = z._default;

/** Every setting, read from the environment. Names are the environment variables. */
export const configSchema = z.object({
  PORT: withDefault(port, 3000),
  HOST: withDefault(nonEmpty, "127.0.0.1"),
  LLM_API_KEY: optionalString,
  LLM_MODEL: withDefault(nonEmpty, DEFAULT_MODEL),
  LLM_BASE_URL: z.optional(z.url()),
  LLM_MAX_RETRIES: withDefault(nonNegativeInt, 4),
  LLM_RETRY_MIN_MS: withDefault(nonNegativeInt, 1000),
  LLM_MAX_TOKENS: withDefault(positiveInt, 8192),
  LLM_CONTEXT_TOKENS: withDefault(positiveInt, 150_000),
  /** Anthropic prompt caching (cache_control breakpoints); off for an endpoint that refuses the field. */
  LLM_PROMPT_CACHE: withDefault(bool, true),
  WORKSPACE_BASE: withDefault(nonEmpty, join(homedir(), ".bunhands", "workspace")),
  STATE_DIR: withDefault(nonEmpty, join(homedir(), ".bunhands")),
  RUNTIME: withDefault(z.enum(["docker", "local", "auto"]), "auto"),
  SANDBOX_IMAGE: withDefault(nonEmpty, "bunhands-sandbox:latest"),
  SANDBOX_NETWORK: withDefault(nonEmpty, "none"),
  SANDBOX_MEMORY_MB: withDefault(positiveInt, 2048),
  SANDBOX_PIDS: withDefault(positiveInt, 512),
  SANDBOX_CPUS: withDefault(positive, 1),
  SANDBOX_BWRAP: withDefault(z.enum(["auto", "on", "off"]), "auto"),
  POOL_SIZE: withDefault(nonNegativeInt, 1),
  SOFT_TIMEOUT_S: withDefault(positive, 30),
  COMMAND_TIMEOUT_S: withDefault(number().check(z.positive(), z.maximum(600)), 120),
  OUTPUT_CAP_CHARS: withDefault(positiveInt, 30_000),
  SESSION_API_KEY: optionalString,
  CORS_ORIGINS: withDefault(originList, []),
  MAX_UPLOAD_BYTES: withDefault(positiveInt, 10 * 1024 * 1024),
  ALLOWED_UPLOAD_TYPES: withDefault(csv, []),
  CONVERSATION_IDLE_S: withDefault(positive, 600),
  MAX_CONVERSATIONS: withDefault(positiveInt, 1000),
  MAX_ITERATIONS: withDefault(positiveInt, 100),
  MAX_BUDGET_USD: z.optional(positive),
  CONFIRMATION_MODE: withDefault(bool, false),
  RATE_LIMIT_HTTP_PER_MIN: withDefault(positiveInt, 600),
  RATE_LIMIT_WS_PER_S: withDefault(positiveInt, 1000),
  BROWSE_TIMEOUT_S: withDefault(positive, 20),
  BROWSE_MAX_BYTES: withDefault(positiveInt, 2 * 1024 * 1024),
  SHUTDOWN_GRACE_S: withDefault(number().check(z.minimum(0)), 10),
  LOG_LEVEL: withDefault(z.enum(["debug", "info", "warn", "error", "silent"]), "info"),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`invalid setting ${setting}: ${detail}`);
  }
}

/** Parses the environment; throws a ConfigError naming the first bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known: Record<string, string | undefined> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    // An empty variable means "use the default", as shells make unsetting awkward.
    if (value !== undefined && value !== "") known[key] = value;
    if (value === "" && key in { LLM_API_KEY: 1, SESSION_API_KEY: 1 }) known[key] = value;
  }
  // Parsed once: compiling zod's fast path for this schema would cost more than it saves (~6 ms of a start).
  const parsed = configSchema.safeParse(known, { jitless: true });
  if (!parsed.success) {
    // zod/mini carries no messages ("Invalid input"); zod's English ones ("expected one of …", "expected
    // number to be <=65535") are loaded only here, so a good start does not pay for them.
    z.config(englishMessages());
    const issue = configSchema.safeParse(known, { jitless: true }).error?.issues[0] ?? parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? "environment");
    const given = known[setting];
    throw new ConfigError(setting, `${issue?.message ?? "invalid"}${given === undefined ? "" : ` (got ${JSON.stringify(given)})`}`);
  }
  const config = parsed.data;
  config.WORKSPACE_BASE = resolve(config.WORKSPACE_BASE);
  config.STATE_DIR = resolve(config.STATE_DIR);
  return config;
}

/** What each setting does, for `--help`: typed over the schema, so a new setting without a line fails the type check. */
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
