import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, type Json } from "./support/http.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const KEY = "test-session-key-123";
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SESSION_API_KEY: KEY });
});

afterAll(async () => {
  await server.stop();
});

describe("SESSION_API_KEY on the HTTP routes", () => {
  test("every documented route but /health answers 401 unauthorized without the key", async () => {
    const doc = await call(server, "GET", "/openapi.json", undefined, { "x-session-api-key": KEY });
    expect(doc.status).toBe(200);
    const operations = Object.entries(doc.body.paths as Record<string, Json>).flatMap(([path, ops]) => Object.keys(ops).map((method) => [method.toUpperCase(), path.replaceAll("{id}", "someconversation")] as const));
    expect(operations.length).toBeGreaterThanOrEqual(18);
    for (const [method, path] of operations) {
      const response = await call(server, method, path, method === "GET" || method === "DELETE" ? undefined : {});
      if (path === "/health") {
        expect(response.status).toBe(200);
        continue;
      }
      expect({ route: `${method} ${path}`, status: response.status, code: response.body.code }).toEqual({ route: `${method} ${path}`, status: 401, code: "unauthorized" });
    }
  });

  test("the key works as a header or a bearer token; a wrong key is refused", async () => {
    expect((await call(server, "GET", "/api/conversations", undefined, { "x-session-api-key": KEY })).status).toBe(200);
    expect((await call(server, "GET", "/api/conversations", undefined, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    expect((await call(server, "GET", "/api/conversations", undefined, { "x-session-api-key": "wrong" })).status).toBe(401);
  });
});

describe("security headers on the HTTP answers", () => {
  test("every answer, refusals and downloads too, says nosniff and no framing by other sites; HSTS is left to the TLS proxy", async () => {
    const conversation = await fetch(`${server.url}/api/conversations`, { method: "POST", headers: { "x-session-api-key": KEY, "content-type": "application/json" }, body: "{}" });
    const { conversation_id: id } = (await conversation.json()) as { conversation_id: string };
    const answers = [
      await fetch(`${server.url}/health`),
      await fetch(`${server.url}/api/conversations`),
      await fetch(`${server.url}/api/conversations`, { headers: { "x-session-api-key": KEY } }),
      await fetch(`${server.url}/api/conversations/${id}/zip`, { headers: { "x-session-api-key": KEY } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 200, 200]);
    for (const answer of answers) {
      expect({ url: answer.url, nosniff: answer.headers.get("x-content-type-options"), frame: answer.headers.get("x-frame-options"), hsts: answer.headers.get("strict-transport-security") }).toEqual({
        url: answer.url,
        nosniff: "nosniff",
        frame: "SAMEORIGIN",
        hsts: null,
      });
      await answer.arrayBuffer();
    }
  });
});
