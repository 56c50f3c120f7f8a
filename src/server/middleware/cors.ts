import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/** Origins of a browser on this machine: the UI run from a dev server, say. */
const LOCAL_ORIGIN = /^(https?:\/\/(localhost|127\.0\.0\.1)|http:\/\/\[::1\])(:\d{1,5})?$/i;

/**
 * What CORS_ORIGINS lets in, for HTTP (CORS) and for the WebSocket upgrade alike: empty, pages on this
 * machine (`http(s)://localhost:*`, `http(s)://127.0.0.1:*`, `http://[::1]:*`); otherwise exactly the listed
 * origins; `*` only when the operator lists it. The server's own origin is each caller's business.
 */
export function corsOriginPolicy(origins: readonly string[]): { any: boolean; noneListed: boolean; allows(origin: string): boolean } {
  const listed = new Set(origins.map((o) => o.trim().replace(/\/$/, "")).filter(Boolean));
  const any = listed.has("*");
  return { any, noneListed: listed.size === 0, allows: (origin) => any || (listed.size > 0 ? listed.has(origin) : LOCAL_ORIGIN.test(origin)) };
}

export const CORS_ALLOWED_HEADERS = ["Content-Type", "Authorization", "X-Session-API-Key"];
export const CORS_ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function sameOrigin(origin: string, c: Context): boolean {
  return origin === new URL(c.req.url).origin;
}

/** CORS from CORS_ORIGINS (corsOriginPolicy); with none listed, the server's own origin too. */
export function corsFromSettings(origins: readonly string[]): MiddlewareHandler {
  const policy = corsOriginPolicy(origins);
  const allowOrigin = policy.any
    ? "*"
    : (origin: string, c: Context): string | null => {
        if (!origin) return null;
        return policy.allows(origin) || (policy.noneListed && sameOrigin(origin, c)) ? origin : null;
      };
  return cors({
    origin: allowOrigin,
    allowMethods: CORS_ALLOWED_METHODS,
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: ["Retry-After"],
    maxAge: 600,
  });
}
