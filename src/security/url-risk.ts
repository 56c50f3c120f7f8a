/**
 * Where a URL or host leads: the public internet, or somewhere a request should not go from a
 * server (this machine, a private network, a cloud metadata service, a local file).
 * No DNS lookups: only what the text itself says (the WHATWG URL parser already folds the odd IPv4
 * spellings such as `0x7f.1` and `2130706433` into dotted quads).
 */

export type HostCategory = "public" | "loopback" | "private" | "link-local" | "metadata";
export type UrlCategory = HostCategory | "non-http" | "invalid";

export interface UrlAssessment {
  category: UrlCategory;
  /** The host as parsed (no brackets), or "" when there is none. */
  host: string;
  /** The scheme without its colon, lowercased. */
  scheme: string;
}

const METADATA_HOSTS = new Set([
  "169.254.169.254",
  "169.254.170.2",
  "100.100.100.200",
  "fd00:ec2::254",
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
]);
const LOOPBACK_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"]);
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp"];

export function classifyUrl(raw: string): UrlAssessment {
  const text = raw.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(file|data|javascript|mailto|about|blob|view-source|jar|gopher|dict|ldap|tftp):/i.test(text);
  let url: URL;
  try {
    // curl and wget read a bare `host/path` as http.
    url = new URL(hasScheme ? text : `http://${text}`);
  } catch {
    return { category: "invalid", host: "", scheme: "" };
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const host = stripBrackets(url.hostname);
  if (scheme !== "http" && scheme !== "https") return { category: "non-http", host, scheme };
  return { category: classifyHost(host), host, scheme };
}

export function classifyHost(rawHost: string): HostCategory {
  const host = stripBrackets(rawHost.trim().toLowerCase()).replace(/\.$/, "");
  if (METADATA_HOSTS.has(host)) return "metadata";
  if (host === "" || LOOPBACK_NAMES.has(host)) return "loopback";
  const v4 = parseIPv4(host);
  if (v4) return classifyIPv4(v4);
  if (host.includes(":")) {
    const v6 = parseIPv6(host);
    return v6 ? classifyIPv6(v6) : "public";
  }
  if (host.endsWith(".localhost")) return "loopback";
  if (PRIVATE_SUFFIXES.some((suffix) => host.endsWith(suffix))) return "private";
  // A name without a dot resolves through the local search domains: an intranet host.
  if (!host.includes(".")) return "private";
  return "public";
}

/** True for hosts that are this machine. */
export function isLoopbackHost(host: string): boolean {
  return classifyHost(host) === "loopback";
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function parseIPv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function classifyIPv4([a, b]: number[]): HostCategory {
  if (a === 127 || a === 0) return "loopback"; // 0.0.0.0 reaches this machine too
  if (a === 169 && b === 254) return "link-local";
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b! >= 64 && b! <= 127) return "private"; // carrier-grade NAT
  if (a! >= 224) return "private"; // multicast and reserved
  return "public";
}

/** Eight 16-bit groups, or null when the text is not an IPv6 address. */
function parseIPv6(text: string): number[] | null {
  let host = text.split("%")[0]!; // drop a zone id
  const v4Tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host);
  if (v4Tail) {
    const v4 = parseIPv4(v4Tail[1]!);
    if (!v4) return null;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    host = `${host.slice(0, -v4Tail[1]!.length)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = host.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g)) ? groups : null;
}

function classifyIPv6(g: number[]): HostCategory {
  const allZeroBefore = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (allZeroBefore(7) && (g[7] === 1 || g[7] === 0)) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
  if ((allZeroBefore(5) && g[5] === 0xffff) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))) {
    return classifyIPv4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((g[0]! & 0xffc0) === 0xfe80) return "link-local"; // fe80::/10
  if ((g[0]! & 0xff00) === 0xff00) return "private"; // multicast
  return "public";
}

/** A short sentence for a URL that goes somewhere risky, or null for a public http(s) URL. */
export function describeUrlRisk(assessment: UrlAssessment, url: string): string | null {
  const { category, host, scheme } = assessment;
  switch (category) {
    case "public":
      return null;
    case "invalid":
      return `the URL ${JSON.stringify(url)} cannot be parsed`;
    case "non-http":
      return scheme === "file" ? `reads local files through a file: URL (${url})` : `uses the non-HTTP scheme ${scheme}: (${url})`;
    case "metadata":
      return `contacts the cloud metadata service (${host}), which hands out credentials`;
    case "loopback":
      return `reaches this machine's loopback address (${host})`;
    case "link-local":
      return `reaches a link-local address (${host})`;
    case "private":
      return `reaches a private network address (${host})`;
  }
}
