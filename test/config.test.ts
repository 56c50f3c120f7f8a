import { describe, expect, test } from "bun:test";
import { ConfigError, DEFAULT_MODEL, describeSettings, loadConfig } from "../src/config.ts";

describe("settings", () => {
  test("defaults: loopback on 3000, the newest Sonnet, auto runtime", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.LLM_MODEL).toBe(DEFAULT_MODEL);
    expect(config.RUNTIME).toBe("auto");
    expect(config.LLM_API_KEY).toBeUndefined();
  });

  test("values are parsed from the environment", () => {
    const config = loadConfig({ PORT: "8080", RUNTIME: "local", CORS_ORIGINS: "http://a.test, http://b.test", CONFIRMATION_MODE: "true", MAX_CONVERSATIONS: "7" });
    expect(config.PORT).toBe(8080);
    expect(config.CORS_ORIGINS).toEqual(["http://a.test", "http://b.test"]);
    expect(config.CONFIRMATION_MODE).toBe(true);
    expect(config.MAX_CONVERSATIONS).toBe(7);
  });

  test.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["RUNTIME", "vm"],
    ["LOG_LEVEL", "loud"],
    ["MAX_UPLOAD_BYTES", "-5"],
    ["LLM_BASE_URL", "not a url"],
    ["CONFIRMATION_MODE", "maybe"],
  ])("a bad %s (%p) names the setting", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect((error as ConfigError).setting).toBe(name);
      expect((error as Error).message).toContain(name);
    }
  });

  test("every setting is described for --help", () => {
    const names = describeSettings().map((s) => s.name);
    for (const name of ["PORT", "HOST", "LLM_API_KEY", "LLM_MODEL", "LLM_BASE_URL", "WORKSPACE_BASE", "STATE_DIR", "RUNTIME", "SANDBOX_IMAGE", "SESSION_API_KEY", "CORS_ORIGINS", "MAX_UPLOAD_BYTES", "CONVERSATION_IDLE_S", "MAX_CONVERSATIONS", "LOG_LEVEL"]) expect(names).toContain(name);
  });

  test("a bad value stops the server at start with one line and exit code 2", async () => {
    const proc = Bun.spawn(["bun", "src/main.ts"], { cwd: `${import.meta.dir}/..`, env: { ...process.env, PORT: "not-a-port" }, stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(2);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("PORT");
  });
});
