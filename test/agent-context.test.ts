import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentHarness, allToolResults, lastToolResults, nextState, openConversation, startAgentHarness } from "./support/agent-harness.ts";
import { apiError, type FakeReply, reply, toolUse } from "./support/fake-anthropic.ts";

const CONTEXT_TOKENS = 5000;
let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness({ LLM_CONTEXT_TOKENS: String(CONTEXT_TOKENS) });
});
afterAll(() => h.stop());

/** Each `seq 1 2500` prints about 11.6 KB (~2,900 tokens): two of them outgrow the budget. */
const bigStep = (turn: number): FakeReply => reply(toolUse("execute_bash", { command: `seq 1 2500; echo step-${turn}` }, `big${turn}`));

describe("a history that outgrows the context budget", () => {
  test("is condensed (older results cut, the task and the latest result kept) instead of failing", async () => {
    const seen = h.script("[ctx-budget]", (_request, turn) => (turn < 4 ? bigStep(turn) : reply(toolUse("finish", {}))));
    const { client } = await openConversation(h);
    client.send({ action: "start", args: { task: "[ctx-budget] print a lot" } });
    await nextState(client, "finished");
    expect(seen).toHaveLength(5);
    for (const request of seen) {
      // The whole request (system prompt and tool schemas included) stays within the budget.
      expect(JSON.stringify(request.body).length / 4).toBeLessThanOrEqual(CONTEXT_TOKENS);
      expect(JSON.stringify(request.body.messages[0])).toContain("[ctx-budget] print a lot");
    }
    const last = seen[4]!;
    expect(JSON.stringify(last.body.messages)).toContain("characters condensed to save context");
    const latest = lastToolResults(last)[0];
    expect(latest?.tool_use_id).toBe("big3");
    expect(latest?.content).toContain("2500\nstep-3");
    // The fake rejects a result without its call, so the pairs held; the newest result comes last.
    expect(allToolResults(last).map((r) => r.tool_use_id).at(-1)).toBe("big3");
    client.close();
  });

  test("a 'prompt is too long' answer makes the agent condense harder and try again", async () => {
    // The budget is far above this fake model's window: only the API's answer reveals the limit.
    const windowChars = 30_000;
    const wide = await startAgentHarness({ LLM_CONTEXT_TOKENS: "200000" });
    try {
      let accepted = 0;
      const seen = wide.script("[ctx-window]", (request) => {
        const size = JSON.stringify(request.body).length;
        if (size > windowChars) return apiError(400, `prompt is too long: ${Math.ceil(size / 4)} tokens > ${windowChars / 4} maximum`);
        accepted++;
        return accepted <= 6 ? bigStep(accepted) : reply(toolUse("finish", {}));
      });
      const { client } = await openConversation(wide);
      client.send({ action: "start", args: { task: "[ctx-window] print a lot" } });
      await nextState(client, "finished");
      const tooLong = seen.filter((r) => JSON.stringify(r.body).length > windowChars);
      expect(tooLong.length).toBeGreaterThan(0);
      expect(accepted).toBe(7);
      // Each rejected request was followed by a smaller one carrying the same latest result.
      const retry = seen[seen.indexOf(tooLong[0]!) + 1]!;
      expect(JSON.stringify(retry.body).length).toBeLessThanOrEqual(windowChars);
      expect(lastToolResults(retry)[0]?.tool_use_id).toBe(lastToolResults(tooLong[0]!)[0]?.tool_use_id);
      client.close();
    } finally {
      await wide.stop();
    }
  });
});
