import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { tempDir } from "./support/temp.ts";
import { connectClient, type Frame } from "./support/ws-client.ts";

const LLM_KEY = "sk-ant-test-SECRET-llm-0123456789";
const SESSION_KEY = "session-SECRET-key-abcdef";
const dir = tempDir();
let proc: Subprocess<"ignore", "pipe", "pipe">;
let base = "";
let stderr = "";

beforeAll(async () => {
  proc = Bun.spawn(["bun", "src/main.ts"], {
    cwd: join(import.meta.dir, ".."),
    env: { ...process.env, PORT: "0", LLM_API_KEY: LLM_KEY, LLM_BASE_URL: "http://127.0.0.1:9", LLM_MAX_RETRIES: "0", SESSION_API_KEY: SESSION_KEY, STATE_DIR: join(dir.path, "state"), WORKSPACE_BASE: join(dir.path, "ws"), RUNTIME: "local", POOL_SIZE: "0", LOG_LEVEL: "debug" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  void (async () => {
    for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk);
  })();
  const reader = proc.stdout.getReader();
  let out = "";
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${out} ${stderr}`);
    out += new TextDecoder().decode(value);
  }
  base = (out.match(/listening on (http:\/\/\S+)/) as RegExpMatchArray)[1] as string;
});

afterAll(async () => {
  proc.kill("SIGTERM");
  await proc.exited;
  dir.cleanup();
});

describe("secrets never land in events, frames, exports or logs", () => {
  test("a command that prints the keys, a file that holds them, an agent error: all masked", async () => {
    const client = await connectClient(base.replace("http", "ws"), { session_api_key: SESSION_KEY });
    const id = String((await client.nextFrame((f) => f.type === "connected")).conversation_id);
    client.send({ action: "run", args: { command: `echo ${LLM_KEY} ${SESSION_KEY}; env | grep -c SECRET || true` } });
    const run = await client.nextFrame((f) => f.observation === "run");
    expect(String(run.content)).toContain("********");
    client.send({ action: "write", args: { path: "keys.txt", content: `key=${LLM_KEY}` } });
    await client.nextFrame((f) => f.observation === "write");
    client.send({ action: "read", args: { path: "keys.txt" } });
    const read = await client.nextFrame((f) => f.observation === "read");
    expect(String(read.content)).toBe("key=********");
    // The agent fails to reach its (unreachable) LLM: its error must not carry the key either.
    client.send({ action: "message", args: { content: `use ${LLM_KEY}` } });
    await client.nextFrame((f: Frame) => f.observation === "agent_state_changed" && (f.extras as Frame).agent_state === "error", 20_000);

    const headers = { "X-Session-API-Key": SESSION_KEY };
    const events = await (await fetch(`${base}/api/conversations/${id}/events?limit=1000`, { headers })).text();
    const trajectory = await (await fetch(`${base}/api/conversations/${id}/trajectory`, { headers })).text();
    for (const text of [JSON.stringify(client.frames), events, trajectory, stderr]) {
      expect(text).not.toContain(LLM_KEY);
      expect(text).not.toContain(SESSION_KEY);
    }
    expect(events).toContain("********");
    expect(stderr.length).toBeGreaterThan(0);
    client.close();
  });

  test("the sandbox's environment does not inherit the server's keys", async () => {
    const client = await connectClient(base.replace("http", "ws"), { session_api_key: SESSION_KEY });
    await client.nextFrame((f) => f.type === "connected");
    client.send({ action: "run", args: { command: 'echo "[${LLM_API_KEY:-unset}] [${SESSION_API_KEY:-unset}]"' } });
    const run = await client.nextFrame((f) => f.observation === "run");
    expect(String(run.content)).toContain("[unset] [unset]");
    client.close();
  });
});
