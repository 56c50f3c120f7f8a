import { VERSION } from "../version.ts";

/** The body of GET /health, from the moment the server listens (routes/health.ts documents its schema). */
export function healthFacts(startedAt: number, liveConversations: number, runtime: string) {
  return { status: "ok" as const, version: VERSION, uptime_s: Math.round((Date.now() - startedAt) / 100) / 10, conversations: liveConversations, runtime };
}
