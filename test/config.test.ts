import { describe, expect, test } from "bun:test";
import { ConfigError, DEFAULT_MODEL, loadConfig } from "../src/config.ts";
import { describeSettings } from "../src/settings-help.ts";

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
    ["PORT", "abc", "expected number"],
    ["PORT", "70000", "<=65535"],
    ["RUNTIME", "vm", 'expected one of "docker"|"local"|"auto"'],
    ["LOG_LEVEL", "loud", 'expected one of "debug"'],
    ["MAX_UPLOAD_BYTES", "-5", ">0"],
    ["LLM_BASE_URL", "not a url", "Invalid URL"],
    ["CORS_ORIGINS", "https://ok.example,app.example.com", 'each entry must be "*" or an origin such as https://app.example.com'],
    ["CORS_ORIGINS", "https://app.example.com/ui", "no path"],
    ["CONFIRMATION_MODE", "maybe", 'expected one of "0"|"1"|"true"|"false"|"yes"|"no"|"on"|"off"'],
  ])("a bad %s (%p) names the setting and what it takes", (name, value, expected) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect((error as ConfigError).setting).toBe(name);
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).toContain(expected);
      expect((error as Error).message).toContain(`(got ${JSON.stringify(value)})`);
    }
  });

  test("CORS_ORIGINS takes origins of any scheme, with or without a final slash, and *", () => {
    const origins = "https://app.example.com, http://localhost:5173/,chrome-extension://abcdef,*";
    expect(loadConfig({ CORS_ORIGINS: origins }).CORS_ORIGINS).toEqual(["https://app.example.com", "http://localhost:5173/", "chrome-extension://abcdef", "*"]);
  });

  test("every setting is described for --help, with what it does", () => {
    for (const setting of describeSettings()) expect({ name: setting.name, long: setting.meaning.length > 15 }).toEqual({ name: setting.name, long: true });
    const names = describeSettings().map((s) => s.name);
    for (const name of ["PORT", "HOST", "LLM_API_KEY", "LLM_MODEL", "LLM_BASE_URL", "WORKSPACE_BASE", "STATE_DIR", "RUNTIME", "SANDBOX_IMAGE", "SESSION_API_KEY", "CORS_ORIGINS", "MAX_UPLOAD_BYTES", "CONVERSATION_IDLE_S", "MAX_CONVERSATIONS", "LOG_LEVEL"]) expect(names).toContain(name);
  });

  // In a process of its own: there only zod/mini is loaded, which has no messages of its own ("Invalid input").
  test.each([
    ["PORT", "not-a-port", 'bunhands: invalid setting PORT: Invalid input: expected number, received NaN (got "not-a-port")'],
    ["RUNTIME", "vm", 'bunhands: invalid setting RUNTIME: Invalid option: expected one of "docker"|"local"|"auto" (got "vm")'],
  ])("a bad %s stops the server at start with one line saying what it takes, and exit code 2", async (name, value, line) => {
    const proc = Bun.spawn(["bun", "src/main.ts"], { cwd: `${import.meta.dir}/..`, env: { ...process.env, [name]: value }, stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([line]);
  });
});
