import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./support/server.ts";
import { answers, connectClient, type Frame } from "./support/ws-client.ts";

let server: TestServer;

beforeAll(async () => {
  // A long soft timeout: an interrupt must not wait for it.
  server = await startTestServer({ SOFT_TIMEOUT_S: "20" });
});
afterAll(() => server.stop());

/** The observations of the user's actions, once all `count` of them are answered, in the actions' order. */
async function answersInOrder(client: Awaited<ReturnType<typeof connectClient>>, count: number): Promise<Frame[]> {
  const actions = () => client.frames.filter((f) => f.source === "user" && typeof f.action === "string" && typeof f.id === "number");
  await client.nextFrame(() => actions().length === count && actions().every((a) => client.frames.some(answers(a.id as number))), 30_000);
  return actions().map((a) => client.frames.find(answers(a.id as number)) as Frame);
}

describe("a conversation's actions run in the order they were stored", () => {
  test("a write, then a read and a run sent at once, see the whole file", async () => {
    const client = await connectClient(server.wsUrl);
    await client.nextFrame((f) => f.type === "connected");
    // Near the 1 MiB frame limit, so that writing it takes a while: a read or run started before the write
    // ended would miss it.
    const content = `${"x".repeat(1000 * 1000)}\nEND\n`;
    client.send({ action: "write", args: { path: "big.txt", content } });
    client.send({ action: "read", args: { path: "big.txt", start: 1 } });
    client.send({ action: "run", args: { command: "tail -c 4 big.txt; wc -c < big.txt" } });
    const [written, read, run] = await answersInOrder(client, 3);
    expect(written?.observation).toBe("write");
    expect(read).toMatchObject({ observation: "read", content: "END\n" });
    expect(run?.observation).toBe("run");
    expect(String(run?.content)).toBe(`END\n${content.length}\n`);
    client.close();
  });

  test("C-c for a running command is not queued behind it: the command is interrupted at once", async () => {
    const client = await connectClient(server.wsUrl);
    await client.nextFrame((f) => f.type === "connected");
    const started = performance.now();
    client.send({ action: "run", args: { command: "sleep 300" } });
    await client.nextFrame((f) => f.action === "run" && typeof f.id === "number");
    await Bun.sleep(300);
    client.send({ action: "run", args: { command: "C-c", is_input: true } });
    const [slept, interrupt] = await answersInOrder(client, 2);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(slept).toMatchObject({ observation: "run", extras: { exit_code: 130, running: false } });
    expect(interrupt).toMatchObject({ observation: "run", extras: { exit_code: 130, running: false } });
    client.close();
  });

  test("input sent right behind a command, before its shell has even started, reaches that command", async () => {
    const client = await connectClient(server.wsUrl);
    await client.nextFrame((f) => f.type === "connected");
    const started = performance.now();
    client.send({ action: "run", args: { command: 'read -r line; echo "got:$line"' } });
    client.send({ action: "run", args: { command: "typed-at-once", is_input: true } });
    const [command, input] = await answersInOrder(client, 2);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(command).toMatchObject({ observation: "run", extras: { exit_code: 0, running: false } });
    expect(`${command?.content}${input?.content}`).toContain("got:typed-at-once");
    client.close();
  });

  test("a run queued behind a slow one starts after it, and a read behind both sees what they wrote", async () => {
    const client = await connectClient(server.wsUrl);
    await client.nextFrame((f) => f.type === "connected");
    client.send({ action: "run", args: { command: "sleep 0.3; echo one > order.txt" } });
    client.send({ action: "run", args: { command: "echo two >> order.txt" } });
    client.send({ action: "read", args: { path: "order.txt" } });
    const [, , read] = await answersInOrder(client, 3);
    expect(read).toMatchObject({ observation: "read", content: "one\ntwo\n" });
    client.close();
  });
});
