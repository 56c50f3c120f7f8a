/**
 * A bounded load test on loopback: CONVERSATIONS conversations, one client each, each running `echo`
 * commands one after another for SECONDS. Every answer is checked (its output and exit code); any error
 * frame, error observation, wrong output or dropped socket counts as an error, and the run exits 1 unless
 * there were none. It stops by itself.
 *
 * Settings (environment): LOADTEST_SECONDS (60), LOADTEST_CONVERSATIONS (200), LOADTEST_RUNTIME (local),
 * LOADTEST_BINARY=1 to load the compiled dist/bunhands instead of `bun src/main.ts`.
 */
import { loadavg } from "node:os";
import { z } from "zod";
import { ensureBinary } from "./binary-build.ts";
import { fmt, median, percentile } from "./lib.ts";
import { startBunhands } from "./process.ts";
import { type Frame, joinConversation } from "./socket.ts";

const settings = z
  .object({
    LOADTEST_SECONDS: z.coerce.number().positive().default(60),
    LOADTEST_CONVERSATIONS: z.coerce.number().int().positive().default(200),
    LOADTEST_RUNTIME: z.enum(["local", "docker"]).default("local"),
    LOADTEST_BINARY: z.enum(["0", "1"]).default("0"),
  })
  .safeParse(process.env);
if (!settings.success) {
  console.error(`loadtest: ${settings.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  process.exit(2);
}
const { LOADTEST_SECONDS: SECONDS, LOADTEST_CONVERSATIONS: CONVERSATIONS, LOADTEST_RUNTIME: RUNTIME, LOADTEST_BINARY: BINARY } = settings.data;

type ClientResult = { commands: number; rttMs: number[]; firstMs: number; errors: string[] };

/** One client: a first command (starts the shell, timed apart), then commands until `deadline`. */
async function client(ws: WebSocket, index: number, deadline: number): Promise<ClientResult> {
  const result: ClientResult = { commands: 0, rttMs: [], firstMs: Number.NaN, errors: [] };
  let answer: ((frame: Frame | Error) => void) | null = null;
  ws.onmessage = (e) => {
    const frame = JSON.parse(String(e.data)) as Frame;
    if (frame.error) return answer?.(new Error(`error frame ${frame.code}: ${frame.error}`));
    if (frame.observation === "run" || frame.observation === "error") answer?.(frame);
  };
  ws.onclose = (e) => answer?.(new Error(`socket closed (${e.code} ${e.reason})`));
  const runOne = async (n: number): Promise<number> => {
    const token = `c${index}-${n}`;
    const t0 = performance.now();
    const frame = await new Promise<Frame | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error(`no answer to command ${token} within 30 s`)), 30_000);
      answer = (f) => {
        clearTimeout(timer);
        answer = null;
        resolve(f);
      };
      ws.send(JSON.stringify({ action: "run", args: { command: `echo ${token}` } }));
    });
    const ms = performance.now() - t0;
    if (frame instanceof Error) throw frame;
    if (frame.observation !== "run") throw new Error(`command ${token} answered by ${frame.observation}: ${frame.content}`);
    if (frame.extras?.exit_code !== 0 || frame.content?.trim() !== token) throw new Error(`command ${token}: exit ${String(frame.extras?.exit_code)}, output ${JSON.stringify(frame.content?.slice(0, 100))}`);
    return ms;
  };
  try {
    result.firstMs = await runOne(0);
    for (let n = 1; performance.now() < deadline; n++) {
      result.rttMs.push(await runOne(n));
      result.commands++;
    }
  } catch (error) {
    result.errors.push(error instanceof Error ? error.message : String(error));
  }
  return result;
}

async function main(): Promise<number> {
  const command = BINARY === "1" ? [await ensureBinary(), "serve"] : ["bun", "src/main.ts"];
  console.error(`loadtest: ${CONVERSATIONS} conversations × \`run echo\` for ${SECONDS} s, RUNTIME=${RUNTIME}, server: ${command.join(" ")}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  // The server's own defaults (rate limits included), as an operator would run it.
  const server = await startBunhands({ RUNTIME, RATE_LIMIT_WS_PER_S: "", RATE_LIMIT_HTTP_PER_MIN: "", POOL_SIZE: RUNTIME === "docker" ? "" : "0" }, command);
  try {
    const sockets: WebSocket[] = [];
    for (let i = 0; i < CONVERSATIONS; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, CONVERSATIONS - i) }, () => joinConversation(server.wsUrl)));
      sockets.push(...batch.map((b) => b.ws));
    }
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    const results = await Promise.all(sockets.map((ws, i) => client(ws, i, deadline)));
    const elapsedS = (performance.now() - started) / 1000;
    for (const ws of sockets) ws.close();

    const rtt = results.flatMap((r) => r.rttMs);
    const firsts = results.map((r) => r.firstMs).filter(Number.isFinite);
    const errors = results.flatMap((r) => r.errors);
    const commands = results.reduce((sum, r) => sum + r.commands, 0);
    const lines: Array<[string, string]> = [
      ["conversations (one client each)", String(CONVERSATIONS)],
      ["duration", `${fmt(elapsedS)} s`],
      ["commands answered (after each shell's first)", commands.toLocaleString("en-US")],
      ["commands per second", fmt(commands / elapsedS)],
      ["round-trip p50", `${fmt(median(rtt))} ms`],
      ["round-trip p99", `${fmt(percentile(rtt, 99))} ms`],
      ["round-trip max", `${fmt(Math.max(...rtt))} ms`],
      ["first command (starts the shell) p50 / max", `${fmt(median(firsts))} / ${fmt(Math.max(...firsts))} ms`],
      ["errors", String(errors.length)],
      ["load average at the end (1/5/15 min)", loadavg().map((l) => l.toFixed(2)).join(" ")],
    ];
    console.log("| loadtest | value |\n|---|---|");
    for (const [name, value] of lines) console.log(`| ${name} | ${value} |`);
    for (const error of errors.slice(0, 20)) console.error(`  error: ${error}`);
    if (errors.length) return 1;
    if (commands === 0) {
      console.error("loadtest: no command was answered");
      return 1;
    }
    return 0;
  } finally {
    await server.stop();
  }
}

process.exit(await main());
