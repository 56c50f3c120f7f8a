import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_INSTRUCTION_CHARS } from "../src/agent/repo-instructions.ts";
import { type AgentHarness, nextState, openConversation, startAgentHarness } from "./support/agent-harness.ts";
import { reply, systemText, toolUse } from "./support/fake-anthropic.ts";
import { tempDir } from "./support/temp.ts";

let h: AgentHarness;
const outside = tempDir();

beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(async () => {
  await h.stop();
  outside.cleanup();
});

/** Opens a conversation, lets `prepare` fill its workspace, runs a one-step task; returns the system prompt sent. */
async function systemPromptFor(tag: string, prepare: (workspace: string) => void): Promise<string> {
  const seen = h.script(tag, [reply(toolUse("finish", { message: "done" }, "toolu_finish"))]);
  const { client, id } = await openConversation(h);
  const workspace = join(h.server.config.WORKSPACE_BASE, id);
  mkdirSync(workspace, { recursive: true });
  prepare(workspace);
  client.send({ action: "start", args: { task: `${tag} do the task` } });
  await nextState(client, "finished");
  client.close();
  return systemText(seen[0]!.body);
}

describe("the repository's instruction files", () => {
  test("AGENTS.md and OpenHands' .openhands/microagents/repo.md are in the system prompt, in that order", async () => {
    const system = await systemPromptFor("[instr-both]", (workspace) => {
      writeFileSync(join(workspace, "AGENTS.md"), "Run the tests with `make check`.\n");
      mkdirSync(join(workspace, ".openhands/microagents"), { recursive: true });
      writeFileSync(join(workspace, ".openhands/microagents/repo.md"), "Never touch vendor/.\n");
    });
    const agents = system.indexOf('<repository_instructions file="AGENTS.md">\nRun the tests with `make check`.\n</repository_instructions>');
    const repo = system.indexOf('<repository_instructions file=".openhands/microagents/repo.md">\nNever touch vendor/.\n</repository_instructions>');
    expect(agents).toBeGreaterThan(0);
    expect(repo).toBeGreaterThan(agents);
  });

  test("without them the prompt has no instructions section", async () => {
    const system = await systemPromptFor("[instr-none]", () => {});
    expect(system).toContain("<how_to_work>");
    expect(system).not.toContain("<repository_instructions");
  });

  test("a symlink out of the workspace is not followed, and a long file is cut", async () => {
    const secret = join(outside.path, "secret.md");
    writeFileSync(secret, "OUTSIDE-THE-WORKSPACE\n");
    const system = await systemPromptFor("[instr-guard]", (workspace) => {
      symlinkSync(secret, join(workspace, "AGENTS.md"));
      mkdirSync(join(workspace, ".openhands/microagents"), { recursive: true });
      writeFileSync(join(workspace, ".openhands/microagents/repo.md"), "x".repeat(MAX_INSTRUCTION_CHARS + 5000));
    });
    expect(system).not.toContain("OUTSIDE-THE-WORKSPACE");
    expect(system).not.toContain('file="AGENTS.md"');
    expect(system).toContain(`[... cut at ${MAX_INSTRUCTION_CHARS} characters ...]`);
    expect(system).not.toContain("x".repeat(MAX_INSTRUCTION_CHARS + 1));
  });
});
