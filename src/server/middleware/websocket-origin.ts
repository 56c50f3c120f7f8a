import { isLoopbackBind } from "../../security/bind-warning.ts";
import { corsOriginPolicy } from "./cors.ts";
import { hostnameOf, urlHost } from "./host-guard.ts";

export type OriginSettings = { corsOrigins: readonly string[]; host: string };

/**
 * Which browser pages may open a WebSocket. CORS does not apply to WebSockets: without this, any web page
 * a user visits could connect to the server on 127.0.0.1 and run commands (cross-site WebSocket hijacking).
 * Allowed: clients that send no Origin (wscat, scripts), the origins CORS allows (CORS_ORIGINS; when empty,
 * pages served from this machine), and the server's own pages (the Origin names the host the request was
 * sent to). While the server listens on loopback only, that host must be a loopback name too: a page on
 * another domain that resolves to 127.0.0.1 (DNS rebinding) is not the server's own.
 */
export function websocketOriginCheck(settings: OriginSettings): (request: Request) => string | undefined {
  const policy = corsOriginPolicy(settings.corsOrigins);
  const loopbackOnly = isLoopbackBind(settings.host);
  return (request) => {
    const origin = request.headers.get("origin");
    if (origin === null || policy.allows(origin)) return undefined;
    const originHost = urlHost(origin);
    const sameHost = originHost !== undefined && originHost === request.headers.get("host")?.toLowerCase();
    if (sameHost && !(loopbackOnly && !isLoopbackBind(hostnameOf(originHost)))) return undefined;
    return `pages from ${origin} may not open a WebSocket here (list the origin in CORS_ORIGINS to allow it)`;
  };
}
