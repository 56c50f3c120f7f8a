import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { act, call, createConversation, type Json } from "./support/http.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { connectClient } from "./support/ws-client.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.stop();
});

describe("GET /openapi.json", () => {
  test("documents the event schemas whatever order the modules load in (the event schemas before @hono/zod-openapi here)", async () => {
    // A process of its own: the order is that of a fresh module graph.
    const script = [
      'const { openCore } = await import("./src/server/core.ts");',
      'const { loadConfig } = await import("./src/config.ts");',
      'const { createApp } = await import("./src/server/app.ts");',
      'const dir = require("node:fs").mkdtempSync(require("node:os").tmpdir() + "/bh-order-");',
      'const config = loadConfig({ STATE_DIR: dir + "/s", WORKSPACE_BASE: dir + "/w", RUNTIME: "local", LOG_LEVEL: "silent" });',
      "const { store, manager, metrics } = openCore(config, () => {});",
      'const app = createApp({ config, store, manager, metrics, startedAt: Date.now(), runtimeKind: () => "local" });',
      'const doc = await (await app.request("http://127.0.0.1/openapi.json", { headers: { host: "127.0.0.1" } })).json();',
      "console.log(JSON.stringify(Object.keys(doc.components.schemas)));",
      'require("node:fs").rmSync(dir, { recursive: true, force: true });',
      "process.exit(0);",
    ].join("\n");
    const proc = Bun.spawn(["bun", "-e", script], { cwd: `${import.meta.dir}/..`, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(err).not.toContain("is not a function");
    expect(code).toBe(0);
    expect(JSON.parse(out.trim().split("\n").at(-1) ?? "[]")).toEqual(expect.arrayContaining(["ActionEvent", "ObservationEvent", "Event"]));
  });

  test("is OpenAPI 3.1 with exactly the app's routes, each with its parameters and error responses", async () => {
    const response = await call(server, "GET", "/openapi.json");
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe("3.1.0");
    expect((doc.info as Json).title).toBe("bunhands");
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Json>))
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path.replaceAll(/\{(\w+)\}/g, ":$1")}`);
    // The app's own route table: every method + path registered on the Hono app (middleware has method ALL).
    const { createApp } = await import("../src/server/app.ts");
    const app = createApp({ config: server.config, store: server.handle.store, manager: server.handle.manager, metrics: server.handle.metrics, startedAt: Date.now(), runtimeKind: () => "local" });
    const routed = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
    expect([...documented].sort()).toEqual([...routed].sort());
    for (const expected of [
      "GET /health",
      "GET /metrics",
      "POST /upload",
      "POST /api/conversations",
      "GET /api/conversations",
      "GET /api/conversations/:id",
      "PATCH /api/conversations/:id",
      "DELETE /api/conversations/:id",
      "GET /api/conversations/:id/events",
      "POST /api/conversations/:id/actions",
      "POST /api/conversations/:id/upload-files",
      "GET /api/conversations/:id/files",
      "GET /api/conversations/:id/files/content",
      "GET /api/conversations/:id/zip",
      "GET /api/conversations/:id/git/changes",
      "GET /api/conversations/:id/trajectory",
      "GET /openapi.json",
      "GET /ws",
    ])
      expect(documented).toContain(expected);
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const events = paths["/api/conversations/{id}/events"]?.get as Json;
    expect((events.parameters as Json[]).map((p) => p.name).sort()).toEqual(["end_id", "id", "limit", "reverse", "start_id"]);
    expect(Object.keys(events.responses as Json)).toEqual(expect.arrayContaining(["200", "400", "404"]));
    const ws = paths["/ws"]?.get as Json;
    for (const frame of ["connected", "status_update", "initialize", "change_agent_state", "latest_event_id", "4404"]) expect(String(ws.description)).toContain(frame);
    const schemas = (doc.components as Json).schemas as Json;
    for (const name of ["Error", "Conversation", "ActionEvent", "ObservationEvent", "ClientMessage", "UploadResult", "GitChanges"]) expect(schemas).toHaveProperty(name);
  });

  test("a plain GET /ws (no upgrade) is refused", async () => {
    const response = await call(server, "GET", "/ws");
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(typeof response.body.code).toBe("string");
  });

  test("unknown routes are 404 not_found in the error shape", async () => {
    const response = await call(server, "GET", "/api/nothing-here");
    expect(response.status).toBe(404);
    expect(response.body.code).toBe("not_found");
  });
});

describe("GET /metrics", () => {
  test("Prometheus text with connections, conversations, events, actions by type, latency, runtime errors, LLM use and the process", async () => {
    const { id } = await createConversation(server);
    const client = await connectClient(server.wsUrl, { conversation_id: id });
    await client.nextFrame((f) => f.type === "connected");
    await act(server, id, "run", { command: "true" });
    await act(server, id, "think", { thought: "metrics" });
    const response = await call(server, "GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = response.text;
    const value = (line: string) => Number(text.split("\n").find((l) => l.startsWith(`${line} `))?.split(" ").pop());
    expect(value("bunhands_open_connections")).toBeGreaterThanOrEqual(1);
    expect(value("bunhands_live_conversations")).toBe(server.handle.manager.liveCount);
    expect(value("bunhands_events_stored")).toBe(server.handle.store.countEvents());
    expect(value('bunhands_actions_total{action="run"}')).toBeGreaterThanOrEqual(1);
    expect(value('bunhands_actions_total{action="think"}')).toBeGreaterThanOrEqual(1);
    expect(value('bunhands_action_duration_seconds_count{action="run"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('bunhands_action_duration_seconds_bucket{action="run",le="+Inf"}');
    expect(text).toContain("# TYPE bunhands_action_duration_seconds histogram");
    expect(text).toContain("# TYPE bunhands_runtime_errors_total counter");
    expect(text).toContain("# TYPE bunhands_llm_tokens_total counter");
    expect(value('bunhands_llm_tokens_total{kind="output"}')).toBeGreaterThanOrEqual(0);
    expect(value("process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    expect(Math.abs(value("process_start_time_seconds") - Date.now() / 1000)).toBeLessThan(3600);
    client.close();
  });
});
