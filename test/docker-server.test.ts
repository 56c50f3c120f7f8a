import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { instanceId } from "../src/runtime/docker-container.ts";
import { announceMissing, inCI, sandboxVariants, testDocker } from "./support/sandbox-env.ts";
import { listeningUrl } from "./support/process-output.ts";
import { serveLoopbackPage, startTestServer, type TestServer } from "./support/server.ts";
import { tempDir } from "./support/temp.ts";
import { connectClient, type Frame } from "./support/ws-client.ts";

const docker = (await sandboxVariants()).find((v) => v.name === "docker");
if (docker) announceMissing(docker);
const available = docker !== undefined && docker.missing === undefined;

describe("the server on the Docker runtime", () => {
  if (!available) {
    // Under CI a missing engine or image is a failure, not a skip.
    test.if(inCI)("Docker must be available under CI", () => {
      expect(docker?.missing).toBeUndefined();
    });
    return;
  }

  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RUNTIME: "docker", POOL_SIZE: "1" });
  });
  afterAll(async () => {
    await server.stop();
  });

  /** A fresh container carries the conversation's label; a pooled one is renamed bunhands-<id> when claimed. */
  const containersOf = async (id: string) => {
    const all = await testDocker().listContainers({ all: true, filters: { label: ["bunhands=1"] } });
    return all.filter((c) => c.Labels["bunhands.conversation"] === id || c.Names.some((n) => n.includes(id)));
  };

  test("commands run in the conversation's container at /workspace; files written there are the workspace's; delete removes the container", async () => {
    const client = await connectClient(server.wsUrl);
    const id = String((await client.nextFrame((f) => f.type === "connected")).conversation_id);
    client.send({ action: "run", args: { command: "cd /workspace && echo from-docker > made.txt && pwd && cat /proc/1/cgroup | head -1 >/dev/null; echo ok" } });
    const run = await client.nextFrame((f: Frame) => f.observation === "run", 60_000);
    expect(String(run.content)).toContain("/workspace");
    expect((run.extras as Frame).working_dir).toBe("/workspace");
    const record = server.handle.store.getConversation(id);
    expect(record?.runtime).toBe("docker");
    expect(readFileSync(join(record?.workspace as string, "made.txt"), "utf8").trim()).toBe("from-docker");
    client.send({ action: "read", args: { path: "/workspace/made.txt" } });
    expect(String((await client.nextFrame((f) => f.observation === "read")).content).trim()).toBe("from-docker");
    expect(await containersOf(id)).toHaveLength(1);
    client.close();
    const deleted = await fetch(`${server.url}/api/conversations/${id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await containersOf(id)).toHaveLength(0);
  }, 90_000);

  test("browse does not open the host's loopback to a conversation whose container has no network; run reaches the container's own", async () => {
    const page = serveLoopbackPage(() => new Response("the host's page"));
    try {
      const client = await connectClient(server.wsUrl);
      await client.nextFrame((f) => f.type === "connected");
      client.send({ action: "browse", args: { url: `http://127.0.0.1:${page.port}/` } });
      const refused = await client.nextFrame((f: Frame) => typeof f.observation === "string" && f.observation !== "agent_state_changed", 60_000);
      expect(refused.observation).toBe("error");
      expect((refused.extras as Frame).error_id).toBe("BROWSE_ERROR");
      expect(String(refused.content)).toContain("loopback address of the server's host");
      expect(String(refused.content)).not.toContain("the host's page");
      // What the message suggests: a server inside the container, fetched from inside it.
      client.send({ action: "run", args: { command: "echo inside > page.txt && httpd -p 127.0.0.1:8080 -h /workspace && sleep 0.2 && wget -qO- http://127.0.0.1:8080/page.txt" } });
      const fetched = await client.nextFrame((f: Frame) => f.observation === "run", 60_000);
      expect(String(fetched.content).trim()).toBe("inside");
      client.close();
    } finally {
      page.stop(true);
    }
  }, 90_000);

  test("a sandbox image that is not on the engine is an error observation saying how to build it; the server goes on", async () => {
    // A server process of its own: the Docker side (client, pool) is one per process, and this file's
    // server has already set it up with the real image.
    const dir = tempDir();
    const env = { ...process.env, PORT: "0", STATE_DIR: join(dir.path, "state"), WORKSPACE_BASE: join(dir.path, "ws"), RUNTIME: "docker", POOL_SIZE: "0", LOG_LEVEL: "error", SANDBOX_IMAGE: "bunhands-no-such-image:test" };
    const proc = Bun.spawn(["bun", join(import.meta.dir, "../src/main.ts"), "serve"], { env, stdout: "pipe", stderr: "pipe" });
    try {
      const url = await listeningUrl(proc.stdout);
      const client = await connectClient(url.replace(/^http/, "ws"));
      await client.nextFrame((f) => f.type === "connected");
      client.send({ action: "run", args: { command: "echo hi" } });
      const failed = await client.nextFrame((f: Frame) => f.observation === "error", 30_000);
      expect(String(failed.content)).toContain(
        "the image bunhands-no-such-image:test is not on this Docker engine; build it with scripts/sandbox-image bunhands-no-such-image:test, or set SANDBOX_IMAGE to one that is",
      );
      expect((await fetch(`${url}/health`)).status).toBe(200);
      client.close();
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
      dir.cleanup();
    }
  }, 60_000);

  test("a shutdown leaves no container behind, pooled or starting", async () => {
    const own = await startTestServer({ RUNTIME: "docker", POOL_SIZE: "1" });
    const instance = instanceId(own.config);
    const client = await connectClient(own.wsUrl);
    await client.nextFrame((f) => f.type === "connected");
    client.send({ action: "run", args: { command: "echo claimed" } });
    await client.nextFrame((f: Frame) => f.observation === "run", 60_000);
    // The claim started a replacement pool container; stop while it may still be starting.
    await own.stop();
    const left = await testDocker().listContainers({ all: true, filters: { label: [`bunhands.instance=${instance}`] } });
    expect(left).toHaveLength(0);
  }, 90_000);
});
