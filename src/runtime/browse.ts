import { truncateMiddle } from "./runtime.ts";

export class BrowseError extends Error {}

/**
 * Sent with every request of `browse`, and kept by fetch across redirects. The server refuses its own API to
 * requests that carry it: `browse` runs in the server's process, outside the sandbox's network rules, and
 * must not become the agent's way into other conversations (middleware/browse-guard.ts).
 */
export const BROWSE_HEADER = "x-bunhands-browse";

export type BrowseResult = { content: string; url: string; status_code: number };

export type BrowseLimits = { timeoutMs: number; maxBytes: number; outputCapChars: number };

/** GET a URL (redirects followed), reading at most maxBytes within timeoutMs. */
export async function browse(rawUrl: string, limits: BrowseLimits): Promise<BrowseResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new BrowseError(`${rawUrl} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new BrowseError(`only http and https URLs can be browsed, not ${url.protocol}`);
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow", signal, headers: { "user-agent": "bunhands/0.1", [BROWSE_HEADER]: "1" } });
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${limits.timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error);
    throw new BrowseError(`could not fetch ${url.href}: ${reason}`);
  }
  const body = await readBounded(response, limits.maxBytes, signal);
  return { content: truncateMiddle(body, limits.outputCapChars), url: response.url || url.href, status_code: response.status };
}

async function readBounded(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  try {
    while (!signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size >= maxBytes) {
        cut = true;
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
  return cut ? `${text}\n[... response cut at ${maxBytes} bytes ...]` : text;
}
