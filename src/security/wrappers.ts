import { parseArgs } from "./args.ts";
import type { Redirect, Word } from "./shell-ast.ts";

/**
 * Commands that run another command (`sudo rm …`, `timeout 5 rm …`, `find -exec rm …`), and commands
 * that run shell code given as a string (`bash -c "…"`, `eval "…"`, `su -c "…"`, a here-document fed to
 * `sh`). The analyzer looks through both, so `sudo bash -c 'rm -rf /'` is rated as the `rm` it is.
 */

interface WrapperSpec {
  /** Options that take a value. */
  values?: readonly string[];
  /** Positional arguments before the wrapped command (`timeout DURATION cmd`, `chroot DIR cmd`). */
  skip?: number;
  /** `NAME=VALUE` words before the wrapped command are settings, not the command (`env A=1 cmd`). */
  assignments?: boolean;
}

const ENV_VALUES = ["-u", "--unset", "-C", "--chdir", "-S", "--split-string"];

const WRAPPERS: Record<string, WrapperSpec> = {
  sudo: { values: ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group", "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--close-from", "--command-timeout"] },
  doas: { values: ["-u", "-C"] },
  pkexec: { values: ["--user"] },
  runuser: { values: ["-u", "-g", "-G", "--user", "--group", "--supp-group", "-s", "--shell", "-w", "--whitelist-environment"] },
  nohup: {},
  setsid: {},
  time: { values: ["-f", "-o", "--format", "--output"] },
  exec: { values: ["-a"] },
  builtin: {},
  unbuffer: {},
  chronic: {},
  torsocks: {},
  proxychains: { values: ["-f"] },
  proxychains4: { values: ["-f"] },
  caffeinate: { values: ["-w", "-t"] },
  nice: { values: ["-n", "--adjustment"] },
  ionice: { values: ["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"] },
  timeout: { values: ["-s", "-k", "--signal", "--kill-after"], skip: 1 },
  stdbuf: { values: ["-i", "-o", "-e", "--input", "--output", "--error"] },
  chroot: { values: ["--userspec", "--groups"], skip: 1 },
  flock: { values: ["-w", "-E", "--timeout", "--conflict-exit-code"], skip: 1 },
  strace: { values: ["-o", "-e", "-p", "-s", "-u", "-E", "-S", "-X", "-I", "-b", "-a", "-P"] },
  ltrace: { values: ["-o", "-e", "-p", "-s", "-u", "-n", "-a"] },
  nsenter: { values: ["-t", "-S", "-G", "--target", "--setuid", "--setgid", "-r", "-w", "--root", "--wd"] },
  unshare: { values: ["--propagation", "--setgroups", "--map-user", "--map-group"] },
  xargs: { values: ["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--eof", "--replace", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"] },
  busybox: {},
  firejail: {},
  env: { values: ENV_VALUES, assignments: true },
  command: {},
};

export const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "yash", "fish", "csh", "tcsh", "rbash"]);
const ASSIGNMENT_WORD = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The command lines a command runs for itself (none for most commands). */
export function wrappedCommands(name: string, args: readonly Word[]): Word[][] {
  if (name === "find") return findExecCommands(args);
  if (name === "command" && args.some((a) => a.text === "-v" || a.text === "-V")) return [];
  const spec = WRAPPERS[name];
  if (!spec) return [];
  let i = 0;
  while (i < args.length) {
    const text = args[i]!.text;
    if (text === "--") {
      i++;
      break;
    }
    if (spec.assignments && ASSIGNMENT_WORD.test(text)) {
      i++;
      continue;
    }
    if (!text.startsWith("-") || text.length < 2) break;
    i += spec.values?.includes(text) ? 2 : 1;
  }
  i += spec.skip ?? 0;
  return i < args.length ? [args.slice(i)] : [];
}

function findExecCommands(args: readonly Word[]): Word[][] {
  const commands: Word[][] = [];
  for (let i = 0; i < args.length; i++) {
    if (!["-exec", "-execdir", "-ok", "-okdir"].includes(args[i]!.text)) continue;
    const start = i + 1;
    let end = start;
    while (end < args.length && args[end]!.text !== ";" && args[end]!.text !== "+") end++;
    if (end > start) commands.push(args.slice(start, end));
    i = end;
  }
  return commands;
}

/** Shell code carried as text: `sh -c CODE`, `eval CODE`, `su -c CODE`, `watch CODE`, a here-document read by a shell. */
export function embeddedScripts(name: string, args: readonly Word[], redirects: readonly Redirect[]): string[] {
  if (SHELLS.has(name)) return shellScripts(args, redirects);
  if (name === "eval") return args.length > 0 ? [args.map((a) => a.text).join(" ")] : [];
  if (name === "su" || name === "runuser" || name === "flock" || name === "script") {
    const parsed = parseArgs(args, ["-c", "--command", "-s", "--shell", "-u", "-g", "-w", "-E", "-q", "-O", "-T"]);
    return parsed.values.get("-c") ?? parsed.values.get("--command") ?? [];
  }
  if (name === "env") return parseArgs(args, ENV_VALUES).values.get("-S") ?? [];
  if (name === "watch") {
    const parsed = parseArgs(args, ["-n", "--interval", "-d", "--differences", "-q", "--equexit"]);
    return parsed.positionals.length > 0 ? [parsed.positionals.map((a) => a.text).join(" ")] : [];
  }
  return [];
}

function shellScripts(args: readonly Word[], redirects: readonly Redirect[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const text = args[i]!.text;
    if (text === "-o" || text === "+o" || text === "-O" || text === "+O") {
      i++; // `bash -o pipefail -c …`
      continue;
    }
    if (text === "--" || !/^[-+]/.test(text)) break;
    if (!text.startsWith("--") && text.includes("c")) {
      const script = args.slice(i + 1).find((a) => !a.text.startsWith("-"));
      return script ? [script.text] : [];
    }
  }
  const runsAFile = args.some((a) => !/^[-+]/.test(a.text));
  if (runsAFile) return [];
  // With no script file the shell reads its code from stdin: a here-document or here-string.
  return redirects.flatMap((r) => (r.op === "<<<" ? [r.target.text] : r.heredoc !== undefined ? [r.heredoc] : []));
}
