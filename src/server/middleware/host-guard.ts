import type { MiddlewareHandler } from "hono";
import { isLoopbackBind } from "../../security/bind-warning.ts";

export type HostGuardOptions = { host: string; corsOrigins: readonly string[] };

/**
 * DNS rebinding guard. While the server listens on loopback only, a request must name it by a loopback
 * name (localhost, 127.x.x.x, [::1]) or by the host of a CORS_ORIGINS entry: otherwise a web page on a
 * domain its owner points at 127.0.0.1 would be "same origin" with this server and could drive it.
 * Requests without a Host header (not a browser's) pass; a server listening on other interfaces relies on
 * SESSION_API_KEY instead.
 */
export function loopbackHostGuard(options: HostGuardOptions): MiddlewareHandler {
  if (!isLoopbackBind(options.host)) return async (_c, next) => next();
  const listed = new Set(options.corsOrigins.flatMap((origin) => {
    const host = urlHost(origin.trim());
    return host === undefined ? [] : [hostnameOf(host)];
  }));
  return async (c, next) => {
    const host = c.req.header("host");
    if (host === undefined) return next();
    const name = hostnameOf(host.toLowerCase());
    if (isLoopbackBind(name) || listed.has(name)) return next();
    return c.json({ error: `this server listens on loopback only and answers to loopback names, not ${JSON.stringify(host)} (DNS rebinding guard)`, code: "unauthorized" }, 403);
  };
}

/** A URL's host[:port], lowercased; undefined when it is no URL. */
export function urlHost(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** host[:port] → host, without the brackets of an IPv6 address. */
export function hostnameOf(host: string): string {
  return host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
}
