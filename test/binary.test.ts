/**
 * The compiled binary, copied alone into an empty folder and run with a PATH that has no Bun: its
 * subcommands, what it serves, its shutdown on SIGTERM, and that a kill -9 under load loses no event any
 * client had received.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import pkg from "../package.json";
import { ensureBinary } from "../scripts/benchmarks/binary-build.ts";
import { describeSettings } from "../src/settings-help.ts";
import { DATABASE_FILE } from "../src/db/client.ts";
import { reply, startFakeAnthropic, toolUse } from "./support/fake-anthropic.ts";
import { tempDir } from "./support/temp.ts";
import { answers, connectClient, type Frame, type TestClient } from "./support/ws-client.ts";

/**
 * The tools a user's shell commands and the local sandbox need; Bun is not among them. The sandbox's
 * bash runs `stty -echo` on its terminal: without stty on PATH its shell never answers.
 */
const TOOLS = ["sh", "bash", "stty", "env", "ls", "cat", "echo", "sleep", "mkdir", "rm", "cp", "mv", "grep", "sed", "head", "tail", "wc", "printf", "pwd", "touch", "true", "false", "id", "uname", "tr", "sort"];

let dir: { path: string; cleanup: () => void };
let binary: string;
let toolsPath: string;

/** Runs the copied binary with only the folder's own paths and the Bun-free PATH. */
function binaryEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: toolsPath,
    HOME: join(dir.path, "home"),
    STATE_DIR: join(dir.path, "state"),
    WORKSPACE_BASE: join(dir.path, "workspaces"),
    RUNTIME: "local",
    LOG_LEVEL: "warn",
    RATE_LIMIT_WS_PER_S: "100000",
    ...extra,
  };
}

async function runToEnd(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([binary, ...args], { cwd: join(dir.path, "app"), env: binaryEnv(), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

type Served = { proc: Subprocess<"ignore", "pipe", "pipe">; url: string; wsUrl: string; stderr: () => string };

/** Starts `bunhands serve` on a free port and waits for its "listening on" line. */
async function serve(port = 0, extraEnv: Record<string, string> = {}): Promise<Served> {
  const proc = Bun.spawn([binary, "serve"], { cwd: join(dir.path, "app"), env: binaryEnv({ PORT: String(port), ...extraEnv }), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let errText = "";
  void (async () => {
    for await (const chunk of proc.stderr) errText += new TextDecoder().decode(chunk);
  })();
  const reader = proc.stdout.getReader();
  let out = "";
  const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(timer);
      throw new Error(`bunhands serve exited (or was stopped after 30 s) before listening (code ${await proc.exited}): ${out} ${errText}`);
    }
    out += new TextDecoder().decode(value);
    const match = out.match(/listening on (http:\/\/\S+)/);
    if (!match?.[1]) continue;
    clearTimeout(timer);
    // Keep draining stdout so the server never blocks on a full pipe.
    void (async () => {
      while (!(await reader.read().catch(() => ({ done: true }))).done);
    })();
    return { proc, url: match[1], wsUrl: match[1].replace(/^http/, "ws"), stderr: () => errText };
  }
}

beforeAll(async () => {
  const built = await ensureBinary();
  dir = tempDir("bunhands-binary-");
  mkdirSync(join(dir.path, "app"));
  mkdirSync(join(dir.path, "home"));
  binary = join(dir.path, "app", "bunhands");
  copyFileSync(built, binary);
  chmodSync(binary, 0o755);
  // A PATH of symlinks to a few system tools only: /usr/bin itself holds bun.
  toolsPath = join(dir.path, "tools");
  mkdirSync(toolsPath);
  for (const tool of TOOLS) {
    const found = Bun.which(tool, { PATH: "/usr/bin:/bin" });
    if (found) symlinkSync(found, join(toolsPath, tool));
  }
}, 600_000);

afterAll(() => dir?.cleanup());

describe("the compiled binary, alone in an empty folder, without Bun on PATH", () => {
  test("the folder holds only the binary, and its PATH has bash but no bun", () => {
    expect(readdirSync(join(dir.path, "app"))).toEqual(["bunhands"]);
    expect(Bun.which("bun", { PATH: toolsPath })).toBeNull();
    expect(Bun.which("bash", { PATH: toolsPath })).not.toBeNull();
  });

  test("--version prints the package version; --help lists every setting with its default and what it does", async () => {
    const version = await runToEnd(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);

    const help = await runToEnd(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["serve", "run", "--version", "--help"]) expect(help.stdout).toContain(command);
    const lines = help.stdout.split("\n");
    // Defaults that depend on HOME (STATE_DIR, WORKSPACE_BASE) are computed in this process: check the name only.
    for (const setting of describeSettings()) {
      const line = lines.find((l) => l.trim().split(/\s+/)[0] === setting.name);
      expect(line, `--help lists ${setting.name}`).toBeDefined();
      expect(line?.endsWith(`  ${setting.meaning}`), `meaning of ${setting.name}`).toBe(true);
      const shownDefault = line?.trim().slice(setting.name.length, -setting.meaning.length).trim();
      if (!setting.default.startsWith("/")) expect(shownDefault, `default of ${setting.name}`).toBe(setting.default);
    }
  });

  test("serve: /health, the UI at /, a command over the WebSocket, the database file; SIGTERM → clients see 1001, exit 0", async () => {
    const server = await serve();
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe("ok");

      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type") ?? "").toContain("text/html");
      const html = await page.text();
      expect(html.toLowerCase()).toContain("<html");
      // The UI's script is React's production build (scripts/build --production): a third of the size and
      // none of the development checks. A development build carries React's key warning text.
      const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const code = await (await fetch(new URL(script!, server.url))).text();
      expect(code.length).toBeGreaterThan(10_000);
      expect(code.includes("Each child in a list should have a unique")).toBe(false);

      const client = await connectClient(server.wsUrl);
      const connected = await client.nextFrame((f) => f.type === "connected");
      client.send({ action: "run", args: { command: "echo hi" } });
      const run = await client.nextFrame((f) => f.action === "run");
      const observation = await client.nextFrame(answers(run.id as number), 20_000);
      expect(observation.observation).toBe("run");
      expect(String(observation.content).trim()).toBe("hi");
      expect((observation.extras as Record<string, unknown>).exit_code).toBe(0);

      expect(existsSync(join(dir.path, "state", DATABASE_FILE))).toBe(true);
      const listed = (await (await fetch(`${server.url}/api/conversations`)).json()) as { results: Array<{ conversation_id: string }> };
      expect(listed.results.map((c) => c.conversation_id)).toContain(String(connected.conversation_id));

      server.proc.kill("SIGTERM");
      expect(await client.closed).toMatchObject({ code: 1001 });
      expect(await server.proc.exited).toBe(0);
    } finally {
      server.proc.kill("SIGKILL");
    }
  }, 60_000);

  test("what it loads on demand works from inside it: the Anthropic SDK, the Docker client, the WAL checkpoint worker", async () => {
    const fake = await startFakeAnthropic((request) => (request.body.messages.length === 1 ? reply(toolUse("execute_bash", { command: "echo from-the-agent" })) : reply(toolUse("finish", { message: "done" }))));
    const stateDir = join(dir.path, "state-on-demand");
    const server = await serve(0, { STATE_DIR: stateDir, LLM_API_KEY: "test-key-on-demand", LLM_BASE_URL: fake.url, DOCKER_HOST: `unix://${join(dir.path, "no-engine.sock")}`, POOL_SIZE: "0" });
    try {
      // The SDK (its own entrypoint): an agent task runs to its end through the fake LLM.
      const agentClient = await connectClient(server.wsUrl);
      await agentClient.nextFrame((f) => f.type === "connected");
      agentClient.send({ action: "start", args: { task: "say hello from the agent" } });
      const ran = await agentClient.nextFrame((f) => f.observation === "run", 30_000);
      expect(String(ran.content).trim()).toBe("from-the-agent");
      await agentClient.nextFrame((f) => f.observation === "agent_state_changed" && (f.extras as Record<string, unknown>).agent_state === "finished", 30_000);

      // The checkpoint worker: 250 single commits write ~600 WAL pages, under SQLite's own 4000-page backstop,
      // so only the worker copies them into the database file.
      const databaseFile = join(stateDir, DATABASE_FILE);
      const sizeBefore = Bun.file(databaseFile).size;
      for (let i = 0; i < 250; i++) {
        agentClient.send({ action: "think", args: { thought: `thought ${i} ${"x".repeat(300)}` } });
        await agentClient.nextFrame((f) => f.observation === "think", 10_000);
      }
      const deadline = Date.now() + 10_000;
      while (Bun.file(databaseFile).size <= sizeBefore + 100_000 && Date.now() < deadline) await Bun.sleep(50);
      expect(Bun.file(databaseFile).size).toBeGreaterThan(sizeBefore + 100_000);
      agentClient.close();

      // The Docker client (its own entrypoint): a docker conversation reaches dockerode, which names the missing engine.
      const dockerClient = await connectClient(server.wsUrl);
      await dockerClient.nextFrame((f) => f.type === "connected");
      dockerClient.send({ action: "initialize", args: { runtime: "docker" } });
      dockerClient.send({ action: "run", args: { command: "echo hi" } });
      const failed = await dockerClient.nextFrame((f) => f.observation === "error", 20_000);
      expect(String(failed.content)).toContain("no-engine.sock");
      dockerClient.close();

      expect(server.stderr()).not.toContain("WAL checkpoints on a worker thread failed");
      expect(server.stderr()).not.toContain("test-key-on-demand");
    } finally {
      server.proc.kill("SIGKILL");
      await fake.stop();
    }
  }, 90_000);

  test("kill -9 while clients send actions: after a restart every event any client received is stored, and the conversation goes on", async () => {
    const first = await serve();
    const clients: TestClient[] = [];
    let stopSending = false;
    try {
      // Two conversations, two clients each; every client keeps one action in flight.
      const a = await connectClient(first.wsUrl);
      const idA = String((await a.nextFrame((f) => f.type === "connected")).conversation_id);
      const b = await connectClient(first.wsUrl);
      const idB = String((await b.nextFrame((f) => f.type === "connected")).conversation_id);
      clients.push(a, b, await connectClient(first.wsUrl, { conversation_id: idA }), await connectClient(first.wsUrl, { conversation_id: idB }));
      const conversationOf = (c: TestClient) => (c === a || c === clients[2] ? idA : idB);
      let sent = 0;
      for (const [i, client] of clients.entries()) {
        const sendNext = () => {
          if (stopSending || client.ws.readyState !== WebSocket.OPEN) return;
          const n = sent++;
          client.send(n % 2 ? { action: "run", args: { command: `echo load-${i}-${n}` } } : { action: "think", args: { thought: `load ${i} ${n}` } });
        };
        client.ws.addEventListener("message", (e) => {
          const frame = JSON.parse(String(e.data)) as Frame;
          if (frame.observation && frame.cause !== undefined) sendNext();
        });
        sendNext();
      }
      await Bun.sleep(3000);
      first.proc.kill("SIGKILL");
      await first.proc.exited;
      stopSending = true;
      await Promise.all(clients.map((c) => c.closed));

      const seen = new Map<string, Map<number, Frame>>([
        [idA, new Map()],
        [idB, new Map()],
      ]);
      for (const client of clients) for (const event of client.events()) seen.get(conversationOf(client))?.set(event.id as number, event);
      expect(seen.get(idA)?.size ?? 0).toBeGreaterThan(10);
      expect(seen.get(idB)?.size ?? 0).toBeGreaterThan(10);

      const second = await serve();
      try {
        for (const [id, received] of seen) {
          const stored = await allEvents(second.url, id);
          const byId = new Map(stored.map((e) => [e.id as number, e]));
          // Ids stay contiguous from 0.
          expect(stored.map((e) => e.id)).toEqual(stored.map((_, i) => i));
          for (const [eventId, event] of received) expect(byId.get(eventId), `event ${eventId} of ${id}`).toEqual(event);
        }

        // The conversation goes on: a new command is answered with ids after everything stored.
        const before = (await allEvents(second.url, idA)).length;
        const again = await connectClient(second.wsUrl, { conversation_id: idA, latest_event_id: before - 1 });
        await again.nextFrame((f) => f.type === "connected");
        again.send({ action: "run", args: { command: "echo after-restart" } });
        const run = await again.nextFrame((f) => f.action === "run", 20_000);
        expect(run.id as number).toBeGreaterThanOrEqual(before);
        const answer = await again.nextFrame(answers(run.id as number), 20_000);
        expect(String(answer.content).trim()).toBe("after-restart");
        again.close();

        second.proc.kill("SIGTERM");
        expect(await second.proc.exited).toBe(0);
      } finally {
        second.proc.kill("SIGKILL");
      }
    } finally {
      stopSending = true;
      first.proc.kill("SIGKILL");
      for (const client of clients) client.close();
    }
  }, 90_000);
});

/** Every stored event of a conversation through the events route, page by page. */
async function allEvents(url: string, id: string): Promise<Frame[]> {
  const events: Frame[] = [];
  for (;;) {
    const response = await fetch(`${url}/api/conversations/${id}/events?start_id=${events.length}&limit=1000`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { events: Frame[]; has_more: boolean };
    events.push(...page.events);
    if (!page.has_more || page.events.length === 0) return events;
  }
}
