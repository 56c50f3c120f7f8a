import { readFile, readdir } from "node:fs/promises";
import type { ShellTransport, TransportSink } from "./shell-transport.ts";
import { TERMINAL_COLS, TERMINAL_ROWS } from "./shell-protocol.ts";

export type PtySpawn = {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
};

/**
 * Starts `argv` on a new pseudo-terminal (Bun makes it a session leader with the terminal as its
 * controlling tty, so bash gets job control).
 */
export async function openPtyTransport(spec: PtySpawn, sink: TransportSink): Promise<ShellTransport> {
  const proc = Bun.spawn(spec.argv, {
    cwd: spec.cwd,
    env: spec.env,
    terminal: {
      cols: TERMINAL_COLS,
      rows: TERMINAL_ROWS,
      name: "dumb",
      data: (_terminal, data) => sink.onData(data),
    },
  });
  const terminal = proc.terminal;
  if (!terminal) throw new Error("the pseudo-terminal could not be created");
  const sessionId = proc.pid;
  const exited = proc.exited.then((code) => code ?? -1);
  let closing: Promise<void> | undefined;

  return {
    write(data) {
      if (!terminal.closed) terminal.write(data);
    },
    async killForeground() {
      // Every process on the terminal reports the terminal's foreground group (stat field tpgid), in
      // our pid namespace even when the shell runs in bubblewrap's.
      const stat = await readStat(proc.pid);
      const group = stat?.tpgid ?? 0;
      if (group > 0) return killQuietly(-group, "SIGKILL");
      killQuietly(proc.pid, "SIGKILL");
    },
    async shellInForeground() {
      const group = (await readStat(proc.pid))?.tpgid ?? 0;
      if (group <= 0) return false;
      // Without bubblewrap the shell is the process Bun started. Under it the shell is bwrap's grandchild:
      // its parent is bwrap's own child, still in bwrap's group, while a job's parent is the shell.
      if (group === proc.pid) return true;
      const leader = await readStat(group);
      const parent = leader ? await readStat(leader.ppid) : undefined;
      return parent !== undefined && parent.pid !== proc.pid && parent.pgrp === proc.pid;
    },
    exited,
    close() {
      closing ??= (async () => {
        // Whatever the shell started stays in its session unless it called setsid (bubblewrap's pid
        // namespace catches even those: killing bwrap ends the namespace).
        killQuietly(proc.pid, "SIGKILL");
        for (const pid of await sessionMembers(sessionId)) killQuietly(pid, "SIGKILL");
        await exited.catch(() => undefined);
        if (!terminal.closed) terminal.close();
      })();
      return closing;
    },
  };
}

type Stat = { pid: number; ppid: number; pgrp: number; session: number; tpgid: number };

async function readStat(pid: number): Promise<Stat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!text) return undefined;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]), tpgid: Number(fields[5]) };
}

/** Processes of a session, found by scanning /proc. */
export async function sessionMembers(sessionId: number): Promise<number[]> {
  const names = await readdir("/proc").catch(() => [] as string[]);
  const stats = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readStat(Number(n))));
  return stats.filter((s): s is Stat => s !== undefined && s.session === sessionId).map((s) => s.pid);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
