import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ErrorBody } from "./errors.ts";

/**
 * Refuses a body over `maxBytes` with 413 too_large before it is parsed: at once from Content-Length, or
 * while reading a chunked body.
 */
export function limitBody(maxBytes: number, what = "the request body"): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.json({ error: `${what} is larger than ${maxBytes} bytes`, code: "too_large" } satisfies ErrorBody, 413),
  });
}
