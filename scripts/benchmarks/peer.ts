/**
 * bunhands beside the peer a user would pick instead, opencode (`opencode serve`, npm opencode-ai), in the
 * same run: cold start, idle memory, a shell command through its API, and one scripted agent task with
 * both pointed at the same fake Anthropic server. The ratio column is bunhands ÷ opencode.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type RecordedRequest, reply, startFakeAnthropic, text, toolUse } from "../../test/support/fake-anthropic.ts";
import { bunhandsTaskMs } from "./agent.ts";
import { bunhandsBinaryCommand, measureStarts, type ServerCommand, summarize } from "./binary.ts";
import { ensureBinary } from "./binary-build.ts";
import { median, notMeasured, part, record, ROOT, tempDir, timeEach } from "./lib.ts";
import { freePort, startBunhands, stopProcess, track, waitForOk } from "./process.ts";
import { type Frame, joinConversation, roundTrips, runMessage } from "./socket.ts";

const OPENCODE = join(ROOT, "node_modules/.bin/opencode");
/** A model of opencode's bundled catalog (models.dev cannot be fetched offline). */
const OPENCODE_MODEL = { providerID: "anthropic", modelID: "claude-sonnet-4-5" };
const TASK_STEPS = 5;

/** What an operator running opencode offline sets: no update checks, no catalog fetch, no downloads. */
function opencodeEnv(dir: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, ".config"),
    XDG_DATA_HOME: join(dir, ".local/share"),
    XDG_CACHE_HOME: join(dir, ".cache"),
    XDG_STATE_HOME: join(dir, ".local/state"),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    OPENCODE_DISABLE_SHARE: "1",
    PORT: String(port),
    ...extra,
  };
}

const opencodeCommand: ServerCommand = {
  cmd: (_dir, port) => [OPENCODE, "serve", "--port", String(port), "--hostname", "127.0.0.1"],
  env: (dir, port) => opencodeEnv(dir, port),
  healthPath: "/global/health",
};

type Opencode = { url: string; stop(): Promise<void> };

async function startOpencode(extra: Record<string, string>): Promise<Opencode> {
  const dir = tempDir("bunhands-bench-opencode-");
  const project = join(dir.path, "project");
  mkdirSync(project);
  const port = freePort();
  const t0 = performance.now();
  const proc = track(Bun.spawn(opencodeCommand.cmd(dir.path, port), { cwd: project, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...opencodeEnv(dir.path, port, extra) }, stdin: "ignore", stdout: "ignore", stderr: "ignore" }));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/global/health`, t0, 60_000);
  } catch (error) {
    await stopProcess(proc);
    dir.cleanup();
    throw error;
  }
  return {
    url,
    async stop() {
      await stopProcess(proc);
      dir.cleanup();
    },
  };
}

async function api<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

const newSession = (oc: Opencode) => api<{ id: string }>(`${oc.url}/session`, {}).then((s) => s.id);

/** Median ms of `echo hi` through POST /session/:id/shell (after a warm-up). */
async function opencodeShellMs(oc: Opencode): Promise<number> {
  const session = await newSession(oc);
  type ShellAnswer = { parts: Array<{ state?: { output?: string } }> };
  const shell = () => api<ShellAnswer>(`${oc.url}/session/${session}/shell`, { agent: "build", command: "echo hi" });
  for (let i = 0; i < 3; i++) await shell();
  const answer = await shell();
  if (!answer.parts.some((p) => p.state?.output?.trim() === "hi")) throw new Error(`opencode's shell did not print hi: ${JSON.stringify(answer).slice(0, 300)}`);
  return median(await timeEach(20, shell)) / 1000;
}

/** One scripted task in a new opencode session; returns its ms. */
async function opencodeTaskMs(oc: Opencode, task: string): Promise<number> {
  const session = await newSession(oc);
  const t0 = performance.now();
  const answer = await api<{ info: { finish?: string; error?: unknown } }>(`${oc.url}/session/${session}/message`, { model: OPENCODE_MODEL, parts: [{ type: "text", text: task }] });
  const ms = performance.now() - t0;
  if (answer.info.error || answer.info.finish !== "stop") throw new Error(`opencode's task did not end cleanly: ${JSON.stringify(answer.info).slice(0, 300)}`);
  return ms;
}

/**
 * The same task for both agents: run `echo step N` TASK_STEPS times, then end. Each agent gets the calls
 * in its own tool names (bunhands: execute_bash, then finish; opencode: bash, then a closing text).
 */
function sameTaskScript(request: RecordedRequest) {
  const tools = (request.body.tools ?? []).map((t) => t.name);
  if (tools.length === 0) return reply(text("Benchmark task"));
  const turn = request.body.messages.filter((m) => m.role === "assistant").length;
  const bunhands = tools.includes("execute_bash");
  if (turn >= TASK_STEPS) return bunhands ? reply(toolUse("finish", { message: "done" })) : reply(text("done"));
  const command = `echo step ${turn}`;
  return reply(bunhands ? toolUse("execute_bash", { command }) : toolUse("bash", { command, description: `print step ${turn}` }));
}

export async function benchPeer(): Promise<void> {
  const label = (what: string) => `vs opencode serve: ${what}`;
  if (!existsSync(OPENCODE)) return notMeasured(label("everything"), "opencode-ai is not installed (bun add -d opencode-ai)");
  const binary = await ensureBinary();

  await part(label("cold start / idle memory"), async () => {
    console.error("peer: cold starts of the bunhands binary and opencode serve, alternating");
    const [ours, theirs] = (await measureStarts([bunhandsBinaryCommand(binary), opencodeCommand], 5, 3000)).map(summarize);
    if (!ours || !theirs) throw new Error("no samples");
    record(label("cold start → first 200 on its health route, median of 5"), ours.startMs, "ms", "opencode serve", theirs.startMs, { lowerIsBetter: true });
    record(label("idle memory (RSS of the process tree, 3 s after start)"), ours.idleMb, "MB", "opencode serve", theirs.idleMb, { lowerIsBetter: true });
  });

  const fake = await startFakeAnthropic(sameTaskScript);
  const bunhands = await startBunhands({ LLM_API_KEY: "test", LLM_BASE_URL: fake.url }, [binary, "serve"]);
  let opencode: Opencode | undefined;
  try {
    opencode = await startOpencode({ ANTHROPIC_API_KEY: "test", ANTHROPIC_BASE_URL: `${fake.url}/v1` });
    const oc = opencode;
    await part(label("shell command `echo hi`"), async () => {
      console.error("peer: a shell command through each API");
      const { ws } = await joinConversation(bunhands.wsUrl);
      const isRun = (f: Frame) => f.observation === "run" || f.observation === "error";
      await roundTrips(ws, 20, () => runMessage("echo hi"), isRun);
      const oursMs = median(await roundTrips(ws, 20, () => runMessage("echo hi"), isRun)) / 1000;
      ws.close();
      const theirsMs = await opencodeShellMs(oc);
      record(label("shell command `echo hi` (bunhands: WS run; opencode: POST /session/:id/shell), p50"), oursMs, "ms", "opencode serve", theirsMs, { lowerIsBetter: true });
    });
    await part(label("scripted agent task"), async () => {
      console.error("peer: the same scripted agent task on both");
      await bunhandsTaskMs(bunhands.wsUrl, "warm-up");
      await opencodeTaskMs(oc, "warm-up");
      const oursMs = median(await timeEach(3, () => bunhandsTaskMs(bunhands.wsUrl, "echo the steps"))) / 1000;
      const theirsMs = median(await timeEach(3, () => opencodeTaskMs(oc, "echo the steps"))) / 1000;
      record(label(`agent task (${TASK_STEPS} shell steps + end, same fake LLM), median of 3`), oursMs, "ms", "opencode serve", theirsMs, { lowerIsBetter: true });
    });
  } finally {
    await opencode?.stop();
    await bunhands.stop();
    await fake.stop();
  }
}
