import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { startServer } from "../src/server/server.ts";
import { StartError } from "../src/server/start-error.ts";
import { PID_FILE } from "../src/server/state-lock.ts";
import { tempDir } from "./support/temp.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");
const NOT_A_DATABASE = "these bytes are not an SQLite database, and they must still be here afterwards\n".repeat(4);

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function folder(): string {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  return dir.path;
}

function settings(root: string, env: Record<string, string> = {}) {
  return { PORT: "0", HOST: "127.0.0.1", STATE_DIR: join(root, "state"), WORKSPACE_BASE: join(root, "ws"), RUNTIME: "local", LOG_LEVEL: "silent", POOL_SIZE: "0", ...env };
}

/** Runs the CLI to its end: exit code and stderr. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const proc = Bun.spawn(["bun", MAIN, ...args], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return { code, stderr };
}

describe("a start that cannot go on says why in one line", () => {
  test("a STATE_DIR or WORKSPACE_BASE that cannot be a folder is named (in-process)", async () => {
    const root = folder();
    writeFileSync(join(root, "a-file"), "x");
    for (const setting of ["STATE_DIR", "WORKSPACE_BASE"]) {
      const config = loadConfig(settings(root, { [setting]: join(root, "a-file", "below") }));
      const refused = startServer(config);
      await expect(refused).rejects.toBeInstanceOf(StartError);
      await expect(refused).rejects.toThrow(`${setting} ${join(root, "a-file", "below")} cannot be used: not a directory (ENOTDIR); set ${setting} to a folder this user can write`);
    }
  });

  test("a database file that is not one stops the start, is left as it was, and STATE_DIR is given back", async () => {
    const root = folder();
    const config = loadConfig(settings(root));
    await Bun.write(join(config.STATE_DIR, "bunhands.sqlite"), NOT_A_DATABASE);
    const refused = startServer(config);
    await expect(refused).rejects.toBeInstanceOf(StartError);
    await expect(refused).rejects.toThrow(`the database ${join(config.STATE_DIR, "bunhands.sqlite")} (in STATE_DIR) cannot be opened: file is not a database`);
    expect(readFileSync(join(config.STATE_DIR, "bunhands.sqlite"), "utf8")).toBe(NOT_A_DATABASE);
    expect(existsSync(join(config.STATE_DIR, PID_FILE))).toBe(false);
  });

  test("from the command line, serve and run: one line, exit code 1, no stack trace", async () => {
    const root = folder();
    writeFileSync(join(root, "a-file"), "x");
    const env = settings(root, { STATE_DIR: join(root, "a-file", "state") });
    for (const args of [["serve"], ["run", "say hi"]]) {
      const { code, stderr } = await cli(args, env);
      expect(code).toBe(1);
      expect(stderr.trim().split("\n")).toEqual([`bunhands: STATE_DIR ${env.STATE_DIR} cannot be used: not a directory (ENOTDIR); set STATE_DIR to a folder this user can write`]);
    }
    const badDatabase = settings(folder());
    await Bun.write(join(badDatabase.STATE_DIR, "bunhands.sqlite"), NOT_A_DATABASE);
    const { code, stderr } = await cli(["serve"], badDatabase);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([`bunhands: the database ${join(badDatabase.STATE_DIR, "bunhands.sqlite")} (in STATE_DIR) cannot be opened: file is not a database (SQLITE_NOTADB)`]);
  }, 30_000);
});
