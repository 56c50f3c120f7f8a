import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/** Origins of a browser on this machine: the UI run from a dev server, say. */
export const LOCAL_ORIGIN = /^(https?:\/\/(localhost|127\.0\.0\.1)|http:\/\/\[::1\])(:\d{1,5})?$/i;

export const CORS_ALLOWED_HEADERS = ["Content-Type", "Authorization", "X-Session-API-Key"];
export const CORS_ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function sameOrigin(origin: string, c: Context): boolean {
  return origin === new URL(c.req.url).origin;
}

/**
 * CORS from CORS_ORIGINS. Empty: only the server's own origin and browsers on this machine
 * (`http(s)://localhost:*`, `http(s)://127.0.0.1:*`, `http://[::1]:*`). Otherwise exactly the listed
 * origins; `*` only when the operator lists it.
 */
export function corsFromSettings(origins: readonly string[]): MiddlewareHandler {
  const listed = new Set(origins.map((o) => o.trim().replace(/\/$/, "")).filter(Boolean));
  const allowOrigin = listed.has("*")
    ? "*"
    : (origin: string, c: Context): string | null => {
        if (!origin) return null;
        if (listed.size > 0) return listed.has(origin) ? origin : null;
        return LOCAL_ORIGIN.test(origin) || sameOrigin(origin, c) ? origin : null;
      };
  return cors({
    origin: allowOrigin,
    allowMethods: CORS_ALLOWED_METHODS,
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: ["Retry-After"],
    maxAge: 600,
  });
}
