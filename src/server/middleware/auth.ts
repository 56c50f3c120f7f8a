import type { MiddlewareHandler } from "hono";

/** Paths that need the session API key; everything else (the UI's files, `/health`) is public. */
export const PROTECTED_PREFIXES = ["/api", "/ws", "/upload", "/security", "/metrics", "/openapi.json"] as const;

export interface SessionAuthOptions {
  /** SESSION_API_KEY; without it every request passes. */
  apiKey?: string;
  /** Paths served without the key. Default: `/health` and the static UI (see PROTECTED_PREFIXES). */
  publicPaths?: (path: string) => boolean;
}

/** The path as the router will see it, folded so that `//API/` or `/%61pi` cannot slip past a prefix. */
function canonicalPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Undecodable escapes: judge the raw text.
  }
  return decoded.replace(/\/{2,}/g, "/").toLowerCase();
}

/** Routes that need no session API key (the UI is served by Bun.serve before Hono). */
export const PUBLIC_PATHS: readonly string[] = ["/health"];

export function isPublicPath(path: string): boolean {
  const canonical = canonicalPath(path);
  if (PUBLIC_PATHS.includes(canonical)) return true;
  return !PROTECTED_PREFIXES.some((prefix) => canonical === prefix || canonical.startsWith(`${prefix}/`));
}

/** The key a request carries: `X-Session-API-Key`, `Authorization: Bearer …`, or `?session_api_key=`. */
export function extractApiKey(request: Request): string | undefined {
  const header = request.headers.get("x-session-api-key");
  if (header) return header.trim();
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "");
  if (bearer) return bearer[1]!.trim();
  return new URL(request.url).searchParams.get("session_api_key") ?? undefined;
}

// Bun's hasher and the global crypto, not node:crypto: that module loads Node's streams, ~1.6 ms of every start.
function digest(text: string): Buffer {
  return new Bun.CryptoHasher("sha256").update(text).digest();
}

/** Compares in constant time: equal-length SHA-256 digests, so neither content nor length leaks. */
export function isAuthorized(request: Request, apiKey: string | undefined): boolean {
  if (!apiKey) return true;
  const given = extractApiKey(request);
  if (given === undefined) return false;
  return crypto.timingSafeEqual(digest(given), digest(apiKey));
}

/** The 401 body, shared with the WebSocket upgrade. */
export function unauthorizedBody(request: Request): { error: string; code: "unauthorized" } {
  const error =
    extractApiKey(request) === undefined
      ? "this server requires a session API key: send it in the X-Session-API-Key header, as Authorization: Bearer …, or as ?session_api_key="
      : "the session API key is wrong";
  return { error, code: "unauthorized" };
}

/** Requires SESSION_API_KEY on every non-public path when it is set. */
export function sessionAuth(options: SessionAuthOptions = {}): MiddlewareHandler {
  const { apiKey, publicPaths = isPublicPath } = options;
  return async (c, next) => {
    if (!apiKey || publicPaths(c.req.path)) return next();
    // A CORS preflight carries no credentials by design; the cors middleware answers it.
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) return next();
    if (isAuthorized(c.req.raw, apiKey)) return next();
    c.header("WWW-Authenticate", 'Bearer realm="bunhands"');
    return c.json(unauthorizedBody(c.req.raw), 401);
  };
}
