import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { loopbackHostGuard } from "../src/server/middleware/host-guard.ts";
import { startTestServer } from "./support/server.ts";

function appWith(host: string, corsOrigins: string[] = []) {
  const app = new Hono();
  app.use("*", loopbackHostGuard({ host, corsOrigins }));
  app.get("/api/x", (c) => c.text("ok"));
  return app;
}

const get = (app: Hono, host?: string) => app.request("http://ignored/api/x", { headers: host === undefined ? {} : { host } });

describe("loopbackHostGuard", () => {
  test("on a loopback bind, loopback names pass and any other name is refused with 403", async () => {
    const app = appWith("127.0.0.1");
    for (const host of ["127.0.0.1:3000", "localhost:3000", "LOCALHOST", "[::1]:3000", "127.0.0.2"]) expect((await get(app, host)).status).toBe(200);
    const rebound = await get(app, "rebind.example:3000");
    expect(rebound.status).toBe(403);
    expect(await rebound.json()).toMatchObject({ code: "unauthorized", error: expect.stringContaining("rebind.example:3000") });
    expect((await get(app, "192.168.1.20:3000")).status).toBe(403);
  });

  test("the hosts of CORS_ORIGINS pass too, and a request without Host (not a browser's) passes", async () => {
    const app = appWith("127.0.0.1", ["https://dev.example:8443"]);
    expect((await get(app, "dev.example:3000")).status).toBe(200);
    expect((await get(app, "other.example:3000")).status).toBe(403);
    expect((await get(app)).status).toBe(200);
  });

  test("a server on other interfaces is not limited by name (SESSION_API_KEY guards it)", async () => {
    const app = appWith("0.0.0.0");
    expect((await get(app, "agents.example.com")).status).toBe(200);
  });

  test("the real server refuses a rebound name on its HTTP routes", async () => {
    const server = await startTestServer();
    try {
      const port = new URL(server.url).port;
      const rebound = await fetch(`${server.url}/api/conversations`, { headers: { host: `rebind.example:${port}` } });
      expect(rebound.status).toBe(403);
      expect((await fetch(`${server.url}/api/conversations`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
