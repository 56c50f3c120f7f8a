import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { browse as fetchPage, BrowseError } from "../src/runtime/browse.ts";
import { type LoopbackPage, serveLoopbackPage, startTestServer, type TestServer } from "./support/server.ts";
import { answers, connectClient, isActionFrame, type Frame } from "./support/ws-client.ts";

let server: TestServer;
let page: LoopbackPage;

beforeAll(async () => {
  server = await startTestServer();
  // A page elsewhere on loopback that redirects to the bunhands API.
  page = serveLoopbackPage((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/to-api") return Response.redirect(`${server.url}/api/conversations`, 302);
    if (path === "/to-metadata") return Response.redirect("http://169.254.169.254/latest/meta-data/iam/", 302);
    if (path === "/hop") return Response.redirect("/", 301);
    return new Response("a page");
  });
});
afterAll(async () => {
  page.stop(true);
  await server.stop();
});

async function browse(url: string): Promise<Frame> {
  const client = await connectClient(server.wsUrl);
  await client.nextFrame((f) => f.type === "connected");
  client.send({ action: "browse", args: { url } });
  const action = await client.nextFrame(isActionFrame("browse"));
  const observation = await client.nextFrame(answers(action.id as number));
  client.close();
  return observation;
}

describe("browse and this server's own API", () => {
  test("browse cannot read the server's API: not directly, not through a redirect", async () => {
    // The conversation list is what a direct GET by another client gets.
    expect((await fetch(`${server.url}/api/conversations`)).status).toBe(200);
    for (const url of [`${server.url}/api/conversations`, `http://127.0.0.1:${page.port}/to-api`]) {
      const observation = await browse(url);
      expect(observation.observation).toBe("browse");
      expect((observation.extras as Frame).status_code).toBe(403);
      expect(String(observation.content)).toContain("may not call this server");
      expect(String(observation.content)).not.toContain("conversation_id");
    }
  });

  test("other pages are browsed as before, redirects followed, the final URL reported", async () => {
    const observation = await browse(`http://127.0.0.1:${page.port}/hop`);
    expect(observation).toMatchObject({ observation: "browse", content: "a page", extras: { status_code: 200, url: `http://127.0.0.1:${page.port}/` } });
  });
});

describe("browse and cloud metadata", () => {
  test("a metadata or link-local address is refused before any request, and so is a redirect to one", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://metadata.google.internal/computeMetadata/v1/", `http://127.0.0.1:${page.port}/to-metadata`]) {
      const started = performance.now();
      const observation = await browse(url);
      expect(observation).toMatchObject({ observation: "error", extras: { error_id: "BROWSE_ERROR" } });
      expect(String(observation.content)).toContain("refusing to browse");
      // Refused, not timed out (the browse timeout is 20 s).
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});

describe("browse and the host's own networks", () => {
  const limits = (hostNetwork: boolean) => ({ timeoutMs: 5000, maxBytes: 1 << 20, outputCapChars: 30_000, hostNetwork });

  test("with no host network (a Docker sandbox): loopback and private addresses are refused, by address or by name, saying what to do", async () => {
    for (const url of [`http://127.0.0.1:${page.port}/`, `http://localhost:${page.port}/`, `http://2130706433:${page.port}/`, "http://0x7f.1/", "http://10.1.2.3/", "http://192.168.0.1/admin", "http://[::1]:9/"]) {
      const refused = fetchPage(url, limits(false));
      await expect(refused).rejects.toBeInstanceOf(BrowseError);
      await expect(refused).rejects.toThrow(/(loopback|private) address of the server's host.*run \(curl or wget\)/);
    }
  });

  test("with the host's network (the local runtime): the same loopback page is fetched", async () => {
    const result = await fetchPage(`http://127.0.0.1:${page.port}/`, limits(true));
    expect(result).toMatchObject({ content: "a page", status_code: 200 });
  });
});
