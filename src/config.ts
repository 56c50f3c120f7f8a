import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

/** The newest Sonnet the installed @anthropic-ai/sdk lists (not deprecated). */
export const DEFAULT_MODEL = "claude-sonnet-5-5";

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));
const csv = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

/** Every setting, read from the environment. Names are the environment variables. */
export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  LLM_API_KEY: optionalString,
  LLM_MODEL: z.string().min(1).default(DEFAULT_MODEL),
  LLM_BASE_URL: z.url().optional(),
  LLM_MAX_RETRIES: nonNegativeInt.default(4),
  LLM_RETRY_MIN_MS: nonNegativeInt.default(1000),
  LLM_MAX_TOKENS: positiveInt.default(8192),
  LLM_CONTEXT_TOKENS: positiveInt.default(150_000),
  /** Anthropic prompt caching (cache_control breakpoints); off for an endpoint that refuses the field. */
  LLM_PROMPT_CACHE: bool.default(true),
  WORKSPACE_BASE: z.string().min(1).default(join(homedir(), ".bunhands", "workspace")),
  STATE_DIR: z.string().min(1).default(join(homedir(), ".bunhands")),
  RUNTIME: z.enum(["docker", "local", "auto"]).default("auto"),
  SANDBOX_IMAGE: z.string().min(1).default("bunhands-sandbox:latest"),
  SANDBOX_NETWORK: z.string().min(1).default("none"),
  SANDBOX_MEMORY_MB: positiveInt.default(2048),
  SANDBOX_PIDS: positiveInt.default(512),
  SANDBOX_CPUS: z.coerce.number().positive().default(1),
  SANDBOX_BWRAP: z.enum(["auto", "on", "off"]).default("auto"),
  POOL_SIZE: nonNegativeInt.default(1),
  SOFT_TIMEOUT_S: z.coerce.number().positive().default(30),
  COMMAND_TIMEOUT_S: z.coerce.number().positive().max(600).default(120),
  OUTPUT_CAP_CHARS: positiveInt.default(30_000),
  SESSION_API_KEY: optionalString,
  CORS_ORIGINS: csv.default([]),
  MAX_UPLOAD_BYTES: positiveInt.default(10 * 1024 * 1024),
  ALLOWED_UPLOAD_TYPES: csv.default([]),
  CONVERSATION_IDLE_S: z.coerce.number().positive().default(600),
  MAX_CONVERSATIONS: positiveInt.default(1000),
  MAX_ITERATIONS: positiveInt.default(100),
  MAX_BUDGET_USD: z.coerce.number().positive().optional(),
  CONFIRMATION_MODE: bool.default(false),
  RATE_LIMIT_HTTP_PER_MIN: positiveInt.default(600),
  RATE_LIMIT_WS_PER_S: positiveInt.default(1000),
  BROWSE_TIMEOUT_S: z.coerce.number().positive().default(20),
  BROWSE_MAX_BYTES: positiveInt.default(2 * 1024 * 1024),
  SHUTDOWN_GRACE_S: z.coerce.number().min(0).default(10),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
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
    const issue = parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? "environment");
    const given = known[setting];
    throw new ConfigError(setting, `${issue?.message ?? "invalid"}${given === undefined ? "" : ` (got ${JSON.stringify(given)})`}`);
  }
  const config = parsed.data;
  config.WORKSPACE_BASE = resolve(config.WORKSPACE_BASE);
  config.STATE_DIR = resolve(config.STATE_DIR);
  return config;
}

/** Settings with their defaults, for `--help`. */
export function describeSettings(): Array<{ name: string; default: string }> {
  const defaults = configSchema.parse({});
  return Object.keys(configSchema.shape).map((name) => {
    const value = (defaults as Record<string, unknown>)[name];
    return { name, default: value === undefined ? "(unset)" : Array.isArray(value) ? value.join(",") || "(empty)" : String(value) };
  });
}
