import { commandName, hasFlag, parseArgs, valuesOf } from "../args.ts";
import type { Invocation } from "../invocations.ts";

/** What an HTTP client command line (curl, wget, …) asks for. */
export interface HttpRequest {
  urls: string[];
  /** Local files sent to the server (`-` is standard input). */
  uploads: string[];
  /** Sends a request body or a non-GET method. */
  sendsData: boolean;
  /** Files the response is saved to. */
  outputs: string[];
}

export const FETCHERS = new Set(["curl", "wget", "fetch", "http", "https", "httpie", "aria2c", "lwp-request", "GET", "xh"]);

const CURL_VALUES = [
  ..."-o -d -F -H -X -T -u -A -e -b -c -x -m -w -K -r -E -y -Y -z -U -C -D -P -Q -t".split(" "),
  ..."--output --data --data-ascii --data-binary --data-raw --data-urlencode --json --form --form-string --header --request --upload-file --user --user-agent --referer --cookie --cookie-jar --proxy --max-time --connect-timeout --write-out --config --url --range --cert --key --cacert --capath --resolve --retry --retry-delay --retry-max-time --limit-rate --output-dir --proxy-user --interface --local-port --dns-servers --speed-limit --speed-time --max-filesize --max-redirs --oauth2-bearer --unix-socket --abstract-unix-socket --continue-at --dump-header --trace --trace-ascii --stderr --ciphers --pinnedpubkey --time-cond --variable --aws-sigv4 --netrc-file --connect-to --noproxy --quote --telnet-option".split(" "),
];
const WGET_VALUES =
  "-O --output-document -o --output-file -a --append-output -P --directory-prefix -t --tries -T --timeout -e --execute -U --user-agent --header --user --password --http-user --http-password -i --input-file -w --wait -l --level -Q --quota -B --base --post-data --post-file --body-data --body-file --method -D --domains -A --accept -R --reject -X -I --referer --load-cookies --save-cookies --limit-rate --ca-certificate --certificate --private-key".split(
    " ",
  );

/** Three rules (network, exfiltration, remote code) read the same invocation: parse it once. */
const readRequests = new WeakMap<Invocation, HttpRequest | null>();

export function readHttpRequest(inv: Invocation): HttpRequest | null {
  if (!FETCHERS.has(inv.name)) return null;
  const known = readRequests.get(inv);
  if (known !== undefined) return known;
  const request = parseHttpRequest(inv);
  readRequests.set(inv, request);
  return request;
}

function parseHttpRequest(inv: Invocation): HttpRequest {
  if (inv.name === "curl") return readCurl(inv);
  if (inv.name === "wget") return readWget(inv);
  const urls = parseArgs(inv.args).positionals.map((w) => w.text).filter((t) => /^[a-z][a-z0-9+.-]*:\/\/|^[\w-]+(\.[\w-]+)+(:\d+)?(\/|$)/i.test(t));
  return { urls, uploads: [], sendsData: false, outputs: [] };
}

function readCurl(inv: Invocation): HttpRequest {
  const parsed = parseArgs(inv.args, CURL_VALUES);
  const urls = [...parsed.positionals.map((w) => w.text), ...valuesOf(parsed, "--url")];
  const uploads = valuesOf(parsed, "-T", "--upload-file");
  for (const data of valuesOf(parsed, "-d", "--data", "--data-ascii", "--data-binary", "--json")) {
    if (data.startsWith("@")) uploads.push(data.slice(1));
  }
  for (const data of valuesOf(parsed, "--data-urlencode")) {
    const at = data.indexOf("@");
    const eq = data.indexOf("=");
    if (at !== -1 && (eq === -1 || eq > at)) uploads.push(data.slice(at + 1));
  }
  for (const field of valuesOf(parsed, "-F", "--form")) {
    const file = /^[^=]*=[@<]([^;]+)/.exec(field)?.[1];
    if (file) uploads.push(file);
  }
  const method = valuesOf(parsed, "-X", "--request").at(-1)?.toUpperCase();
  const sendsData =
    hasFlag(parsed, "-d", "--data", "--data-ascii", "--data-binary", "--data-raw", "--data-urlencode", "--json", "-F", "--form", "--form-string", "-T", "--upload-file") ||
    (method !== undefined && method !== "GET" && method !== "HEAD");
  const outputs = valuesOf(parsed, "-o", "--output");
  if (hasFlag(parsed, "-O", "--remote-name", "--remote-name-all")) outputs.push(...urls.map(urlFileName));
  return { urls, uploads, sendsData, outputs };
}

function readWget(inv: Invocation): HttpRequest {
  const parsed = parseArgs(inv.args, WGET_VALUES);
  const urls = parsed.positionals.map((w) => w.text);
  const uploads = valuesOf(parsed, "--post-file", "--body-file");
  const method = valuesOf(parsed, "--method").at(-1)?.toUpperCase();
  const sendsData = uploads.length > 0 || hasFlag(parsed, "--post-data", "--body-data") || (method !== undefined && method !== "GET" && method !== "HEAD");
  const named = valuesOf(parsed, "-O", "--output-document");
  const outputs = named.length > 0 ? named : urls.map(urlFileName);
  return { urls, uploads, sendsData, outputs };
}

/** The file name a download of `url` gets by default. */
export function urlFileName(url: string): string {
  const path = url.replace(/[?#].*$/, "").replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  return commandName(path) || "index.html";
}
