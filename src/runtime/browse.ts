import { classifyHost } from "../security/url-risk.ts";
import { truncateMiddle } from "./runtime.ts";

export class BrowseError extends Error {}

/**
 * Sent with every request of `browse`, each redirect hop included. The server refuses its own API to
 * requests that carry it: `browse` runs in the server's process, outside the sandbox's network rules, and
 * must not become the agent's way into other conversations (middleware/browse-guard.ts).
 */
export const BROWSE_HEADER = "x-bunhands-browse";

export type BrowseResult = { content: string; url: string; status_code: number };

export type BrowseLimits = {
  timeoutMs: number;
  maxBytes: number;
  outputCapChars: number;
  /** Whether loopback and private-network addresses may be fetched (Runtime.browsesHostNetwork). */
  hostNetwork: boolean;
};

/** Redirects followed at most (browsers stop near 20; a loop ends sooner here). */
const MAX_REDIRECTS = 10;

/** GET a URL (redirects followed), reading at most maxBytes within timeoutMs. */
export async function browse(rawUrl: string, limits: BrowseLimits): Promise<BrowseResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new BrowseError(`${rawUrl} is not a valid URL`);
  }
  const signal = AbortSignal.timeout(limits.timeoutMs);
  // Redirects are followed here, one hop at a time, so that every address on the way is checked.
  for (let hops = 0; ; hops++) {
    await refuseForbidden(url, limits.hostNetwork);
    let response: Response;
    try {
      response = await fetch(url, { redirect: "manual", signal, headers: { "user-agent": "bunhands/0.1", [BROWSE_HEADER]: "1" } });
    } catch (error) {
      const reason = signal.aborted ? `no answer within ${limits.timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error);
      throw new BrowseError(`could not fetch ${url.href}: ${reason}`);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel().catch(() => {});
      if (hops >= MAX_REDIRECTS) throw new BrowseError(`${rawUrl}: more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
      continue;
    }
    const body = await readBounded(response, limits.maxBytes, signal);
    return { content: truncateMiddle(body, limits.outputCapChars), url: url.href, status_code: response.status };
  }
}

/**
 * `browse` runs in the server's process, outside the sandbox's network rules: it may not reach a cloud
 * metadata service or a link-local address (where cloud credentials are handed out), by name, by an address
 * a name resolves to, or by a redirect; nor, unless `hostNetwork`, the host's loopback and private networks.
 * Other schemes than http(s) are refused too.
 */
async function refuseForbidden(url: URL, hostNetwork: boolean): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new BrowseError(`only http and https URLs can be browsed, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // A URL writes an IP host canonically (dotted IPv4, bracketed IPv6). Bun.dns, not node:dns and node:net:
  // those load Node's streams, ~1.5 ms of every start of the server.
  const isAddress = url.hostname.startsWith("[") || /^\d{1,3}(\.\d{1,3}){3}$/.test(url.hostname);
  const addresses = isAddress ? [host] : await Bun.dns.lookup(host).then((found) => found.map((a) => a.address), () => [] as string[]);
  for (const address of [host, ...addresses]) {
    const category = classifyHost(address);
    if (category === "metadata" || category === "link-local") throw new BrowseError(`refusing to browse ${url.href}: ${address} is a ${category === "metadata" ? "cloud metadata" : "link-local"} address`);
    if (!hostNetwork && (category === "loopback" || category === "private")) {
      throw new BrowseError(
        `refusing to browse ${url.href}: ${address} is a ${category} address of the server's host, which this conversation's sandbox has no network to; a server running inside the sandbox can be fetched from there with run (curl or wget)`,
      );
    }
  }
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
