import type { MiddlewareHandler } from "hono";
import { BROWSE_HEADER } from "../../runtime/browse.ts";

/**
 * Refuses the server's routes to the agent's own `browse` (it marks its requests, redirects included).
 * `browse` is fetched by the server process, so a sandbox without network could otherwise read other
 * conversations' events and files through http://127.0.0.1:PORT/api/… on a server without SESSION_API_KEY.
 */
export function refuseOwnBrowse(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.header(BROWSE_HEADER) === undefined) return next();
    return c.json({ error: "the agent's browse may not call this server", code: "unauthorized" }, 403);
  };
}
