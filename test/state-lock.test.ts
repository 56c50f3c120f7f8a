import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { startServer } from "../src/server/server.ts";
import { StartError } from "../src/server/start-error.ts";
import { lockStateDir, PID_FILE } from "../src/server/state-lock.ts";
import { startTestServer } from "./support/server.ts";
import { lineOf } from "./support/process-output.ts";
import { tempDir } from "./support/temp.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");

describe("one server per STATE_DIR", () => {
  test("a second server on the same STATE_DIR stops at once with one line naming the first; the first is untouched", async () => {
    const dir = tempDir();
    try {
      const env = { ...process.env, PORT: "0", STATE_DIR: join(dir.path, "state"), WORKSPACE_BASE: join(dir.path, "ws"), RUNTIME: "local", LOG_LEVEL: "error", POOL_SIZE: "0" };
      const first = Bun.spawn(["bun", MAIN, "serve"], { env, stdout: "pipe", stderr: "pipe" });
      const url = (await lineOf(first.stdout, /listening on/)).split("listening on ")[1]!.trim();
      expect(readFileSync(join(dir.path, "state", PID_FILE), "utf8").trim()).toBe(String(first.pid));

      const second = Bun.spawn(["bun", MAIN, "serve"], { env, stdout: "pipe", stderr: "pipe" });
      expect(await second.exited).toBe(1);
      const said = await new Response(second.stderr).text();
      expect(said).toContain(`in use by another bunhands server (pid ${first.pid})`);
      expect((await fetch(`${url}/health`)).status).toBe(200);

      first.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(existsSync(join(dir.path, "state", PID_FILE))).toBe(false);
    } finally {
      dir.cleanup();
    }
  }, 30_000);

  test("a pid file left by a server that died is replaced; the same process may take it again", () => {
    const dir = tempDir();
    try {
      // A pid that is no live process (pids are far below this).
      writeFileSync(join(dir.path, PID_FILE), "99999999\n");
      const release = lockStateDir(dir.path);
      expect(readFileSync(join(dir.path, PID_FILE), "utf8").trim()).toBe(String(process.pid));
      const again = lockStateDir(dir.path);
      again();
      expect(existsSync(join(dir.path, PID_FILE))).toBe(false);
      release();
    } finally {
      dir.cleanup();
    }
  });

  test("a live process that is not bunhands does not hold the directory (its pid was reused)", () => {
    const dir = tempDir();
    const other = Bun.spawn(["sleep", "30"]);
    try {
      writeFileSync(join(dir.path, PID_FILE), `${other.pid}\n`);
      const release = lockStateDir(dir.path);
      expect(readFileSync(join(dir.path, PID_FILE), "utf8").trim()).toBe(String(process.pid));
      release();
    } finally {
      other.kill();
      dir.cleanup();
    }
  });
});

describe("one server per PORT", () => {
  test("a second server on a port in use stops at once with one line naming PORT; the first keeps serving", async () => {
    const dir = tempDir();
    try {
      const env = (name: string) => ({ ...process.env, STATE_DIR: join(dir.path, name), WORKSPACE_BASE: join(dir.path, `${name}-ws`), RUNTIME: "local", LOG_LEVEL: "error", POOL_SIZE: "0" });
      const first = Bun.spawn(["bun", MAIN, "serve"], { env: { ...env("first"), PORT: "0" }, stdout: "pipe", stderr: "pipe" });
      const url = (await lineOf(first.stdout, /listening on/)).split("listening on ")[1]!.trim();
      const port = new URL(url).port;

      // Another STATE_DIR, so only the port is shared. Bun would otherwise listen beside the first (SO_REUSEPORT).
      const second = Bun.spawn(["bun", MAIN, "serve"], { env: { ...env("second"), PORT: port }, stdout: "pipe", stderr: "pipe" });
      expect(await second.exited).toBe(1);
      const said = (await new Response(second.stderr).text()).trim();
      expect(said).toBe(`bunhands: PORT ${port} on 127.0.0.1 is in use by another process; stop it, or set PORT to a free port (PORT=0 picks one)`);
      expect(existsSync(join(dir.path, "second", PID_FILE))).toBe(false);
      expect((await fetch(`${url}/health`)).status).toBe(200);

      first.kill("SIGTERM");
      expect(await first.exited).toBe(0);
    } finally {
      dir.cleanup();
    }
  }, 30_000);

  test("in-process: startServer on a taken port rejects with a StartError and gives STATE_DIR back", async () => {
    const holder = await startTestServer();
    const dir = tempDir();
    try {
      const config = loadConfig({ PORT: String(holder.port), HOST: "127.0.0.1", STATE_DIR: join(dir.path, "state"), WORKSPACE_BASE: join(dir.path, "ws"), RUNTIME: "local", LOG_LEVEL: "silent", POOL_SIZE: "0" });
      const refused = startServer(config);
      await expect(refused).rejects.toBeInstanceOf(StartError);
      await expect(refused).rejects.toThrow(`PORT ${holder.port} on 127.0.0.1 is in use`);
      expect(existsSync(join(dir.path, "state", PID_FILE))).toBe(false);
      expect((await fetch(`${holder.url}/health`)).status).toBe(200);
    } finally {
      await holder.stop();
      dir.cleanup();
    }
  });
});
