import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./support/server.ts";
import { answers, connectClient, isActionFrame, type Frame, type TestClient } from "./support/ws-client.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** The observation that answers an action (not the agent_state_changed that says it is held). */
const resultOf = (id: number) => (f: Frame) => answers(id)(f) && f.observation !== "agent_state_changed";
const stateChange = (state: string) => (f: Frame) => f.observation === "agent_state_changed" && (f.extras as Frame).agent_state === state;

async function confirmingConversation(): Promise<{ client: TestClient; id: string }> {
  const client = await connectClient(server.wsUrl);
  const id = String((await client.nextFrame((f) => f.type === "connected")).conversation_id);
  client.send({ action: "initialize", args: { confirmation_mode: true } });
  await client.nextFrame(stateChange("awaiting_user_input"));
  return { client, id };
}

describe("confirmation mode", () => {
  test("a high-risk command is held until the user rejects it; nothing runs", async () => {
    const { client, id } = await confirmingConversation();
    const workspace = server.handle.store.getConversation(id)?.workspace as string;
    client.send({ action: "run", args: { command: "sudo -n true 2>/dev/null; touch rejected-ran" } });
    const run = await client.nextFrame(isActionFrame("run"));
    const waiting = await client.nextFrame(stateChange("awaiting_user_confirmation"));
    expect(waiting.cause).toBe(run.id as number);
    expect(String((waiting.extras as Frame).reason)).toContain("sudo");
    await Bun.sleep(200);
    expect(client.frames.some(resultOf(run.id as number))).toBe(false);
    client.send({ action: "change_agent_state", args: { agent_state: "user_rejected" } });
    const answer = await client.nextFrame(isActionFrame("change_agent_state"));
    const rejected = (await client.waitFor(resultOf(run.id as number)))[0] as Frame;
    expect(rejected.observation).toBe("user_rejected");
    const state = (await client.waitFor(answers(answer.id as number)))[0] as Frame;
    expect(state.observation).toBe("agent_state_changed");
    expect(existsSync(join(workspace, "rejected-ran"))).toBe(false);
    client.close();
  });

  test("input sent to a held command waits for it; when the command is rejected, the input is answered at once that nothing runs", async () => {
    const { client } = await confirmingConversation();
    client.send({ action: "run", args: { command: "sudo -n true 2>/dev/null; read -r line" } });
    const run = await client.nextFrame(isActionFrame("run"));
    await client.nextFrame(stateChange("awaiting_user_confirmation"));
    client.send({ action: "run", args: { command: "C-c", is_input: true } });
    const input = await client.nextFrame((f) => f.action === "run" && f.id !== run.id && typeof f.id === "number");
    await Bun.sleep(200);
    expect(client.frames.some(resultOf(input.id as number))).toBe(false);
    const rejectedAt = performance.now();
    client.send({ action: "change_agent_state", args: { agent_state: "user_rejected" } });
    expect(((await client.waitFor(resultOf(run.id as number)))[0] as Frame).observation).toBe("user_rejected");
    const answered = (await client.waitFor(resultOf(input.id as number)))[0] as Frame;
    expect(answered).toMatchObject({ observation: "error" });
    expect(String(answered.content)).toContain("no command");
    expect(performance.now() - rejectedAt).toBeLessThan(5_000);
    client.close();
  });

  test("a confirmed command runs; a low-risk one never waits", async () => {
    const { client, id } = await confirmingConversation();
    const workspace = server.handle.store.getConversation(id)?.workspace as string;
    client.send({ action: "run", args: { command: "echo harmless" } });
    const harmless = await client.nextFrame((f) => f.observation === "run");
    expect(String(harmless.content)).toContain("harmless");
    client.send({ action: "run", args: { command: "sudo -n true 2>/dev/null; touch confirmed-ran; echo ran-after-confirm" } });
    const run = await client.nextFrame((f) => f.action === "run" && String((f.args as Frame).command).includes("sudo"));
    await client.nextFrame(stateChange("awaiting_user_confirmation"));
    client.send({ action: "change_agent_state", args: { agent_state: "user_confirmed" } });
    const observation = (await client.waitFor(resultOf(run.id as number)))[0] as Frame;
    expect(observation.observation).toBe("run");
    expect(String(observation.content)).toContain("ran-after-confirm");
    expect(existsSync(join(workspace, "confirmed-ran"))).toBe(true);
    client.close();
  });

  test("writes outside the workspace and browsing metadata addresses are held too", async () => {
    const { client } = await confirmingConversation();
    client.send({ action: "browse", args: { url: "http://169.254.169.254/latest/meta-data/" } });
    const browse = await client.nextFrame(isActionFrame("browse"));
    await client.nextFrame(stateChange("awaiting_user_confirmation"));
    client.send({ action: "change_agent_state", args: { agent_state: "user_rejected" } });
    expect(((await client.waitFor(resultOf(browse.id as number)))[0] as Frame).observation).toBe("user_rejected");
    // A write outside the workspace and a read of a secret file: held, then rejected (the path check
    // would refuse them anyway; the point is that nothing runs before the user answers).
    for (const [action, args] of [
      ["write", { path: "/etc/bunhands-held.txt", content: "x" }],
      ["read", { path: "/root/.ssh/id_rsa" }],
    ] as const) {
      const holds = client.frames.filter(stateChange("awaiting_user_confirmation")).length;
      client.send({ action, args });
      const held = await client.nextFrame(isActionFrame(action));
      expect(held.security_risk).toBe(2);
      await client.waitFor(stateChange("awaiting_user_confirmation"), holds + 1);
      expect(client.frames.some(resultOf(held.id as number))).toBe(false);
      client.send({ action: "change_agent_state", args: { agent_state: "user_rejected" } });
      expect(((await client.waitFor(resultOf(held.id as number)))[0] as Frame).observation).toBe("user_rejected");
    }
    client.close();
  });

  test("confirming when nothing is held is answered by an error observation", async () => {
    const { client } = await confirmingConversation();
    client.send({ action: "change_agent_state", args: { agent_state: "user_confirmed" } });
    const answer = await client.nextFrame(isActionFrame("change_agent_state"));
    const error = await client.nextFrame(answers(answer.id as number));
    expect(error.observation).toBe("error");
    client.close();
  });

  test("without confirmation mode a high-risk command runs at once", async () => {
    const client = await connectClient(server.wsUrl);
    await client.nextFrame((f) => f.type === "connected");
    client.send({ action: "run", args: { command: "sudo -n true 2>/dev/null; echo ran-directly" } });
    const observation = await client.nextFrame((f) => f.observation === "run");
    expect(String(observation.content)).toContain("ran-directly");
    client.close();
  });
});

describe("switching confirmation mode mid-conversation", () => {
  test("PATCH confirmation_mode holds the next high-risk command of a live conversation", async () => {
    const client = await connectClient(server.wsUrl);
    const id = String((await client.nextFrame((f) => f.type === "connected")).conversation_id);
    const patch = await fetch(`${server.url}/api/conversations/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ confirmation_mode: true }) });
    expect(patch.status).toBe(200);
    expect(((await patch.json()) as { confirmation_mode: boolean }).confirmation_mode).toBe(true);
    client.send({ action: "run", args: { command: "sudo -n true; echo x" } });
    const run = await client.nextFrame(isActionFrame("run"));
    expect(run.security_risk).toBe(2);
    const waiting = await client.nextFrame(stateChange("awaiting_user_confirmation"));
    expect(waiting.cause).toBe(run.id as number);
    client.send({ action: "change_agent_state", args: { agent_state: "user_rejected" } });
    await client.waitFor(resultOf(run.id as number));
    client.close();
  });
});
