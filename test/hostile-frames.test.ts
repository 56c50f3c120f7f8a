import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./support/server.ts";
import { connectClient, type Frame } from "./support/ws-client.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_WS_PER_S: "1000000" });
});
afterAll(async () => {
  await server.stop();
});

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function garbledFrame(next: () => number): string {
  const pick = Math.floor(next() * 10);
  const junk = () => Array.from({ length: Math.floor(next() * 40) }, () => String.fromCharCode(Math.floor(next() * 0x2fff))).join("");
  switch (pick) {
    case 0:
      return junk();
    case 1:
      return JSON.stringify([junk()]);
    case 2:
      return JSON.stringify({ action: junk() || "x" });
    case 3:
      return JSON.stringify({ action: "run", args: { command: Math.floor(next() * 100) } });
    case 4:
      return JSON.stringify({ action: "read", args: { path: null } });
    case 5:
      return JSON.stringify({ action: "write", args: { path: "a", content: { nested: true } } });
    case 6:
      return `{"action": "think", "args": {"thought": "${junk().replaceAll('"', "")}"`;
    case 7:
      return JSON.stringify({ action: "change_agent_state", args: { agent_state: junk() } });
    case 8:
      return JSON.stringify(null);
    default:
      return JSON.stringify({ args: { command: "ls" } });
  }
}

describe("hostile frames", () => {
  test("10,000 garbled frames on one connection: each answered by an error, none stored; a second client keeps working", async () => {
    const attacker = await connectClient(server.wsUrl);
    const attacked = String((await attacker.nextFrame((f) => f.type === "connected")).conversation_id);
    const victim = await connectClient(server.wsUrl);
    const victimId = String((await victim.nextFrame((f) => f.type === "connected")).conversation_id);

    const next = random(42);
    const frames = Array.from({ length: 10_000 }, () => garbledFrame(next));
    for (const frame of frames) attacker.sendRaw(frame);

    // Meanwhile the other client's round trips go on.
    for (let i = 0; i < 20; i++) {
      victim.send({ action: "think", args: { thought: `still here ${i}` } });
      await victim.waitFor((f) => f.observation === "think", i + 1, 20_000);
    }

    const errors = await attacker.waitFor((f) => typeof f.error === "string" && typeof f.code === "string", 10_000, 60_000);
    const codes = new Set(errors.map((e) => e.code));
    for (const code of codes) expect(["invalid_json", "invalid_message", "unknown_action", "invalid_args"]).toContain(code as string);
    expect(server.handle.store.latestId(attacked)).toBe(-1);
    expect(server.handle.store.latestId(victimId)).toBe(39);
    // The attacked connection is still usable.
    attacker.send({ action: "think", args: { thought: "after the storm" } });
    const answer = await attacker.nextFrame((f: Frame) => f.observation === "think", 20_000);
    expect(answer.cause).toBe(0);
    attacker.close();
    victim.close();
  }, 120_000);
});

describe("rate limit per connection", () => {
  test("frames past the bucket get rate_limited errors and are not stored; other connections are unaffected", async () => {
    const limited = await startTestServer({ RATE_LIMIT_WS_PER_S: "20" });
    try {
      const client = await connectClient(limited.wsUrl);
      const id = String((await client.nextFrame((f) => f.type === "connected")).conversation_id);
      for (let i = 0; i < 100; i++) client.send({ action: "think", args: { thought: String(i) } });
      const refused = await client.waitFor((f) => f.code === "rate_limited", 1);
      expect(String(refused[0]?.error)).toContain("slow down");
      await Bun.sleep(300);
      const stored = limited.handle.store.read(id, { limit: 1000 }).filter((e) => "action" in e);
      expect(stored.length).toBeLessThan(100);
      expect(stored.length + client.frames.filter((f) => f.code === "rate_limited").length).toBe(100);
      const other = await connectClient(limited.wsUrl);
      await other.nextFrame((f) => f.type === "connected");
      other.send({ action: "think", args: { thought: "fine" } });
      await other.nextFrame((f) => f.observation === "think");
      client.close();
      other.close();
    } finally {
      await limited.stop();
    }
  });
});
