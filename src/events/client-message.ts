import { z } from "zod";
import { actionArgsSchemas, initializeArgsSchema, startArgsSchema, type ActionName, type InitializeArgs } from "./schema.ts";

export const ERROR_CODES = [
  "invalid_json",
  "invalid_message",
  "unknown_action",
  "invalid_args",
  "not_found",
  "unauthorized",
  "rate_limited",
  "too_large",
  "busy",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type ErrorFrame = { error: string; code: ErrorCode };

export type ClientMessage =
  | { kind: "initialize"; args: InitializeArgs }
  | { kind: "start"; task: string }
  | { kind: "action"; action: ActionName; args: Record<string, unknown> };

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: ErrorFrame };

/** `chat` is the seed's name for the user's message. */
const ALIASES: Record<string, ActionName> = { chat: "message" };

const envelopeSchema = z.object({ action: z.string(), args: z.unknown().optional() });

function fail(code: ErrorCode, error: string): ParseResult {
  return { ok: false, error: { error, code } };
}

/** Describes zod issues as "field: problem; field: problem". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Parses a WebSocket text frame (its size is checked against MAX_FRAME_BYTES before, by the session). */
export function parseClientFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("invalid_json", "the message is not valid JSON");
  }
  return parseClientMessage(value);
}

/** Validates a decoded message (WebSocket or HTTP body) against the protocol. */
export function parseClientMessage(value: unknown): ParseResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("invalid_message", 'a message must be a JSON object like {"action": "...", "args": {...}}');
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return fail("invalid_message", 'a message needs a string "action" field');
  const name = envelope.data.action;
  const rawArgs = envelope.data.args ?? {};
  if (typeof rawArgs !== "object" || rawArgs === null || Array.isArray(rawArgs)) return fail("invalid_args", `args of ${name} must be an object`);
  if (name === "initialize") {
    const args = initializeArgsSchema.safeParse(rawArgs);
    return args.success ? { ok: true, message: { kind: "initialize", args: args.data } } : fail("invalid_args", `invalid args for initialize: ${describeIssues(args.error)}`);
  }
  if (name === "start") {
    const args = startArgsSchema.safeParse(rawArgs);
    return args.success ? { ok: true, message: { kind: "start", task: args.data.task } } : fail("invalid_args", `invalid args for start: ${describeIssues(args.error)}`);
  }
  const action = ALIASES[name] ?? name;
  if (!(action in actionArgsSchemas)) return fail("unknown_action", `unknown action "${name}"; known: initialize, start, chat, ${Object.keys(actionArgsSchemas).join(", ")}`);
  const schema = actionArgsSchemas[action as ActionName];
  const args = schema.safeParse(rawArgs);
  if (!args.success) return fail("invalid_args", `invalid args for ${name}: ${describeIssues(args.error)}`);
  return { ok: true, message: { kind: "action", action: action as ActionName, args: args.data as Record<string, unknown> } };
}
