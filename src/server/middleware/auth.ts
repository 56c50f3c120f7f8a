// Provisional (lead): replaced by the security work.
import { timingSafeEqual, createHash } from "node:crypto";

export function extractApiKey(request: Request): string | undefined {
  const header = request.headers.get("x-session-api-key");
  if (header) return header;
  const auth = request.headers.get("authorization");
  if (auth?.startsWith("Bearer ")) return auth.slice(7);
  return new URL(request.url).searchParams.get("session_api_key") ?? undefined;
}

export function isAuthorized(request: Request, apiKey: string | undefined): boolean {
  if (!apiKey) return true;
  const given = extractApiKey(request);
  if (!given) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(apiKey));
}
