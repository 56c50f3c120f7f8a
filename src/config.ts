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
