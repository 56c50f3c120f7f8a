/**
 * The text protocol between the server and a persistent, interactive bash on a pseudo-terminal.
 *
 * Why a terminal: it gives what a user of OpenHands' tmux shell expects for free. C-c, C-d and C-z are
 * just bytes the line discipline turns into SIGINT, end-of-file and SIGTSTP for the foreground process
 * group; job control puts every command in its own process group; and a background job that reads
 * stdin is stopped (SIGTTIN) instead of eating the commands that follow.
 *
 * Each command is sent as `$'…'`-quoted chunks assigned to a variable (a terminal line holds at most
 * 4095 bytes) and then `eval`ed in the shell itself, so `cd`, variables and functions persist. The
 * prompt hook prints a marker carrying a fresh random nonce, the exit status and the working directory
 * after the command (after `jobs -n`, so job notices land in the output of the command they belong to
 * rather than leaking into the next one); the nonce is written split by quotes so that an echo of our own input can never
 * look like a marker.
 */

export const SHELL_ARGV = ["bash", "--norc", "--noprofile", "--noediting", "-i"];

/** Terminal size given to the shell (programs that format to the width read it). */
export const TERMINAL_COLS = 200;
export const TERMINAL_ROWS = 50;

/** Longest piece of a command per terminal line, in code points (each may take 4 bytes escaped). */
const CHUNK_CODE_POINTS = 800;

export type Nonce = {
  /** How the marker appears in the output. */
  token: string;
  /** How it is written in our input (split so that an echo of the input is not a marker). */
  literal: string;
};

export function newNonce(): Nonce {
  const hex = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex");
  return { token: `__BH${hex}__`, literal: `__BH''${hex}__` };
}

/** Environment the sandboxed shell starts with: nothing from the server's own environment leaks in. */
export function shellEnvironment(home: string, path: string): Record<string, string> {
  return {
    PATH: path,
    HOME: home,
    TERM: "dumb",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    PAGER: "cat",
    GIT_PAGER: "cat",
    MANPAGER: "cat",
    SYSTEMD_PAGER: "",
    DEBIAN_FRONTEND: "noninteractive",
    PYTHONUNBUFFERED: "1",
    PS1: "",
    PS2: "",
  };
}

/**
 * The first line sent to a new shell: terminal modes (no echo, no CR before LF), no history, the prompt
 * hook, and a `cd` into the directory the previous shell was in (when a shell had to be restarted).
 *
 * The hook, its PROMPT_COMMAND and the current nonce are exported, so that `exec bash` (a new bash in the
 * same process) prints the marker too and the conversation goes on. A bash that a command starts is
 * another process: the hook only speaks in the process it was installed in (`$$`), so that bash's prompts
 * do not end the command that started it. History and `!` expansion are turned off again at each prompt,
 * since an exec'd bash starts with them on.
 */
export function initScript(nonce: Nonce, cwd: string): string {
  const hook =
    "__bh_p() { local e=$?; PS1=''; PS2=''; " +
    'if [ -n "$__bh_n" ] && [ "$$" = "$__bh_pid" ]; then set +o history +H; jobs -n; printf \'%s %d %s%s\\n\' "$__bh_n" "$e" "$PWD" "$__bh_n"; __bh_n=; unset __bh_c; fi; }';
  return [
    "stty -echo -onlcr 2>/dev/null",
    "set +o history +H",
    "unset HISTFILE PROMPT_COMMAND",
    hook,
    "export -f __bh_p",
    "export PROMPT_COMMAND=__bh_p __bh_pid=$$",
    `cd -- ${ansiC(cwd)} 2>/dev/null`,
    `export __bh_n=${nonce.literal}\n`,
  ].join("; ");
}

/** The lines that run `command` in the shell and end with the marker of `nonce`. */
export function encodeCommand(command: string, nonce: Nonce): string {
  const points = Array.from(command.replaceAll("\0", ""));
  const lines: string[] = [];
  for (let i = 0; i < points.length; i += CHUNK_CODE_POINTS) {
    const piece = ansiC(points.slice(i, i + CHUNK_CODE_POINTS).join(""));
    lines.push(`${i === 0 ? "__bh_c=" : "__bh_c+="}${piece}\n`);
  }
  const run = `__bh_n=${nonce.literal}; eval "$__bh_c"\n`;
  // A command of one chunk goes on one line with its eval: one read and one prompt cycle fewer.
  if (lines.length <= 1) return `${(lines[0] ?? "__bh_c=\n").slice(0, -1)}; ${run}`;
  lines.push(run);
  return lines.join("");
}

/**
 * Bash ANSI-C quoting that leaves no control character raw: a raw ^C or ^D would be read by the
 * terminal as a key, not as text of the command.
 */
export function ansiC(text: string): string {
  let out = "$'";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

/** `C-c`, `C-d`, `C-z` (any `C-<letter>`) → the control byte that key sends; undefined otherwise. */
export function controlKey(command: string): string | undefined {
  const match = /^C-([a-zA-Z])$/.exec(command.trim());
  if (!match) return undefined;
  const letter = match[1]!.toLowerCase();
  return String.fromCharCode(letter.charCodeAt(0) - 96);
}

export type Marker = { exitCode: number; cwd: string };

/**
 * Splits the shell's output stream into command output and the marker of one nonce. Holds back only
 * what could be the start of a marker, so memory stays bounded however much a command prints.
 */
export class MarkerScanner {
  private pending = "";

  constructor(private readonly token: string) {}

  /** Feeds text; returns the output before the marker and the marker once it is complete. */
  feed(text: string): { output: string; marker?: Marker; rest?: string } {
    this.pending += text;
    let output = "";
    for (;;) {
      const start = this.pending.indexOf(this.token);
      if (start < 0) {
        const hold = this.partialTokenAtEnd();
        output += this.pending.slice(0, this.pending.length - hold);
        this.pending = this.pending.slice(this.pending.length - hold);
        return { output };
      }
      output += this.pending.slice(0, start);
      this.pending = this.pending.slice(start);
      const end = this.pending.indexOf(`${this.token}\n`, this.token.length);
      if (end < 0) {
        // A marker is at most a few KB (the path); anything longer was the token printed by a command.
        if (this.pending.length <= 16_384) return { output };
        output += this.pending.slice(0, this.token.length);
        this.pending = this.pending.slice(this.token.length);
        continue;
      }
      const middle = this.pending.slice(this.token.length, end);
      const rest = this.pending.slice(end + this.token.length + 1);
      const parsed = /^ (-?\d+) ([\s\S]*)$/.exec(middle);
      if (!parsed) {
        output += this.pending.slice(0, this.token.length);
        this.pending = this.pending.slice(this.token.length);
        continue;
      }
      this.pending = "";
      return { output, marker: { exitCode: Number(parsed[1]), cwd: parsed[2]! }, rest };
    }
  }

  /** Length of the longest end of `pending` that could be the start of the token (held back for now). */
  private partialTokenAtEnd(): number {
    for (let k = Math.min(this.pending.length, this.token.length - 1); k > 0; k--) {
      if (this.token.startsWith(this.pending.slice(this.pending.length - k))) return k;
    }
    return 0;
  }

  /** What is held back (on shell exit it is output after all). */
  flush(): string {
    const held = this.pending;
    this.pending = "";
    return held;
  }
}
