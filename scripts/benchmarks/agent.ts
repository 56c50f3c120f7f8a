/**
 * The agent's own overhead per step: a scripted task of think steps with the fake LLM answering at once,
 * minus the same LLM requests sent raw through @anthropic-ai/sdk to the same fake server.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsStreaming } from "@anthropic-ai/sdk/resources/messages";
import { type FakeAnthropic, type RecordedRequest, reply, startFakeAnthropic, text, toolUse } from "../../test/support/fake-anthropic.ts";
import { record } from "./lib.ts";
import { startBunhands } from "./process.ts";
import { type Frame, joinConversation } from "./socket.ts";

const STEPS = 40;

/** The tool-use turns a request already holds: how far the scripted task has come. */
function turnsSoFar(request: RecordedRequest): number {
  return request.body.messages.filter((m) => m.role === "assistant").length;
}

/** Think `steps` times, then finish. `thinkTool`/`finishTool` name the tools as the agent under test calls them. */
export function scriptedTask(steps: number, tools: { think: (i: number) => ReturnType<typeof toolUse>; finish: () => ReturnType<typeof reply> }) {
  return (request: RecordedRequest) => {
    // Requests without tools are side requests (a peer's title generation): answer them plainly.
    if (!request.body.tools?.length) return reply(text("Benchmark task"));
    const turn = turnsSoFar(request);
    return turn < steps ? reply(tools.think(turn)) : tools.finish();
  };
}

/** Sends the recorded requests again, raw through the SDK (streaming, as the agent does); returns ms each. */
export async function rawSdkMs(fake: FakeAnthropic, requests: RecordedRequest[]): Promise<number[]> {
  const client = new Anthropic({ apiKey: "test", baseURL: fake.url, maxRetries: 0 });
  const times: number[] = [];
  for (const request of requests) {
    const body = { ...request.body, stream: true } as unknown as MessageCreateParamsStreaming;
    const t0 = performance.now();
    await client.messages.stream(body).finalMessage();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Runs one task on a bunhands server over the WebSocket until the agent finishes; returns its ms. */
export async function bunhandsTaskMs(wsUrl: string, task: string, timeoutMs = 120_000): Promise<number> {
  const { ws } = await joinConversation(wsUrl);
  const t0 = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the agent did not finish within ${timeoutMs} ms`)), timeoutMs);
      ws.onmessage = (e) => {
        const frame = JSON.parse(String(e.data)) as Frame;
        const state = frame.observation === "agent_state_changed" ? frame.extras?.agent_state : undefined;
        if (state === "finished") {
          clearTimeout(timer);
          resolve();
        }
        if (state === "error" || frame.error) {
          clearTimeout(timer);
          reject(new Error(`the agent failed: ${JSON.stringify(frame).slice(0, 300)}`));
        }
      };
      ws.send(JSON.stringify({ action: "start", args: { task } }));
    });
    return performance.now() - t0;
  } finally {
    ws.close();
  }
}

export const bunhandsTools = {
  think: (i: number) => toolUse("think", { thought: `step ${i}: look at the next file` }),
  finish: () => reply(toolUse("finish", { message: "done" })),
};

export async function benchAgent(): Promise<void> {
  const fake = await startFakeAnthropic(scriptedTask(STEPS, bunhandsTools));
  const server = await startBunhands({ LLM_API_KEY: "test", LLM_BASE_URL: fake.url, MAX_ITERATIONS: "1000", LLM_MAX_RETRIES: "0" });
  try {
    console.error("agent: warm-up task, then the measured one");
    await bunhandsTaskMs(server.wsUrl, "warm-up");
    const before = fake.requests.length;
    const taskMs = await bunhandsTaskMs(server.wsUrl, "benchmark task");
    const requests = fake.requests.slice(before);
    const rawMs = (await rawSdkMs(fake, requests)).reduce((a, b) => a + b, 0);
    const steps = requests.length;
    const perStep = taskMs / steps;
    const rawPerCall = rawMs / steps;
    record(`agent step, wall time (${steps} steps: think ×${STEPS} + finish, fake LLM answers at once)`, perStep, "ms", "raw SDK streaming call to the same fake", rawPerCall, { lowerIsBetter: true });
    record("agent's own overhead per step (step − raw SDK call)", perStep - rawPerCall, "ms", "raw SDK streaming call", rawPerCall, { absolute: 5, lowerIsBetter: true });
  } finally {
    await server.stop();
    await fake.stop();
  }
}
