import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { describeIssues, ERROR_CODES } from "../../events/client-message.ts";
import { log } from "../../log.ts";
import { ConversationError } from "../errors.ts";

/** Every `code` an HTTP error body can carry: the WebSocket codes plus unsupported_type. */
export const HTTP_ERROR_CODES = [...ERROR_CODES, "unsupported_type"] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export const errorSchema = z
  .object({
    error: z.string().openapi({ description: "What went wrong, in words a user can act on" }),
    code: z.enum(HTTP_ERROR_CODES),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof errorSchema>;

/** Thrown by handlers; rendered by `renderError` as `{"error", "code"}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: HttpErrorCode,
    message: string,
    /** Extra fields for the body (an upload's per-file report, say). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} does not exist`);
export const invalidArgs = (message: string) => new ApiError(400, "invalid_args", message);

const STANDARD_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input (`invalid_args`, or the message codes of the WebSocket protocol)",
  401: "Missing or wrong session API key (`unauthorized`)",
  404: "No such conversation or file (`not_found`)",
  413: "Too large (`too_large`)",
  415: "Unsupported type (`unsupported_type`)",
  429: "Rate limited (`rate_limited`)",
  503: "Too many live conversations (`busy`)",
};

/** OpenAPI response entries for error statuses, all with the Error body. */
export function errorResponses(...statuses: number[]): Record<number, { description: string; content: { "application/json": { schema: typeof errorSchema } } }> {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: STANDARD_DESCRIPTIONS[status] ?? "Error", content: { "application/json": { schema: errorSchema } } }]),
  );
}

type ValidationResult = { target: string } & ({ success: true } | { success: false; error: z.ZodError });

/** A zod failure of one part of the request, as a 400 invalid_args naming the field. */
export function validationError(target: string, error: z.ZodError): ApiError {
  const where = target === "param" ? "path parameter" : target === "json" || target === "form" ? "body" : target;
  return new ApiError(400, "invalid_args", `invalid ${where}: ${describeIssues(error)}`);
}

/** The one validation hook (OpenAPIHono defaultHook) of every route. */
export function validationHook(result: ValidationResult, c: Context): Response | undefined {
  if (result.success) return undefined;
  return renderError(validationError(result.target, result.error), c);
}

const CONVERSATION_ERROR_STATUS = { not_found: 404, busy: 503, invalid_args: 400 } as const;

function codeForStatus(status: number, message: string): HttpErrorCode {
  if (status === 400 && /malformed json/i.test(message)) return "invalid_json";
  const byStatus: Record<number, HttpErrorCode> = { 401: "unauthorized", 404: "not_found", 413: "too_large", 415: "unsupported_type", 429: "rate_limited", 503: "busy" };
  return byStatus[status] ?? (status >= 500 ? "internal" : "invalid_args");
}

/** The app's error handler: ApiError, ConversationError and Hono's HTTPException get their status and code; anything else is a 500. */
export function renderError(error: unknown, c: Context): Response {
  if (error instanceof ApiError) return c.json({ error: error.message, code: error.code, ...error.extra }, error.status);
  if (error instanceof ConversationError) return c.json({ error: error.message, code: error.code } satisfies ErrorBody, CONVERSATION_ERROR_STATUS[error.code]);
  if (error instanceof HTTPException) {
    const message = error.message || "request refused";
    return c.json({ error: message, code: codeForStatus(error.status, message) } satisfies ErrorBody, error.status as ContentfulStatusCode);
  }
  log.error("request failed", { method: c.req.method, path: c.req.path, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return c.json({ error: "internal error", code: "internal" } satisfies ErrorBody, 500);
}
