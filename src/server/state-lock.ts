import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StartError } from "./start-error.ts";

/** The file in STATE_DIR that names the server process using it. */
export const PID_FILE = "bunhands.pid";

export class StateDirInUseError extends StartError {}

/**
 * One server per STATE_DIR. Two would share one database with two id counters, and each would remove the
 * other's Docker sandboxes as orphans at start. The pid file is created exclusively; one left by a server
 * that died (kill -9) names a process that is gone, or is no bunhands, and is replaced. The same process
 * may take it again (a server restarted in-process). Creates STATE_DIR when missing. Returns the release,
 * which removes the file.
 */
export function lockStateDir(stateDir: string): () => void {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, PID_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => releaseIfOurs(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isBunhands(holder)) {
      throw new StateDirInUseError(`STATE_DIR ${stateDir} is in use by another bunhands server (pid ${holder}); stop it, or give this one another STATE_DIR`);
    }
    // Stale (its process is gone) or ours: replace it.
    unlinkSync(file);
  }
  throw new StateDirInUseError(`STATE_DIR ${stateDir}: could not take ${PID_FILE}`);
}

function releaseIfOurs(file: string): void {
  try {
    if (Number.parseInt(readFileSync(file, "utf8").trim(), 10) === process.pid) unlinkSync(file);
  } catch {
    // Already gone.
  }
}

/** A live process that looks like a bunhands server (its command line names it); pids are reused. */
function isBunhands(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /bunhands|src\/main\.ts/.test(commandLine);
  } catch {
    // No /proc (not Linux): a live process with that pid is taken to be the server.
    return true;
  }
}
