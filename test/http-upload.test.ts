import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { call, createConversation, type Json } from "./support/http.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { tempDir } from "./support/temp.ts";

const MAX = 1024;
let server: TestServer;
let id: string;
let workspace: string;

beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(MAX) });
  ({ id, workspace } = await createConversation(server));
});

afterAll(async () => {
  await server.stop();
});

function form(files: Array<[string, string, string?]>, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [name, content, type] of files) data.append("file", new File([content], name, type ? { type } : {}));
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

async function upload(path: string, body: FormData | string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server.url}${path}`, { method: "POST", body, headers });
  return { status: response.status, body: (await response.json()) as Json };
}

describe("POST /api/conversations/:id/upload-files", () => {
  test("writes each file into the workspace root and reports it", async () => {
    const result = await upload(`/api/conversations/${id}/upload-files`, form([["notes.txt", "hello"], ["data.csv", "a,b\n1,2\n"]]));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ uploaded_files: ["notes.txt", "data.csv"], skipped_files: [] });
    expect(readFileSync(join(workspace, "notes.txt"), "utf8")).toBe("hello");
    expect(readFileSync(join(workspace, "data.csv"), "utf8")).toBe("a,b\n1,2\n");
    expect(statSync(join(workspace, "notes.txt")).mode & 0o111).toBe(0);
    // Atomic writes leave no temp files behind.
    expect(readdirSync(workspace).filter((name) => name.includes(".tmp"))).toEqual([]);
  });

  test("traversal names are reduced to their last segment and land inside the workspace", async () => {
    const names = ["../../escape.txt", "/etc/cron.d/evil", "..\\..\\win.txt", "a/b/../../../deep.txt", "..%2F..%2Fenc.txt", "ctl\u0001\u0007name.txt", "..", "...", "   "];
    const result = await upload(`/api/conversations/${id}/upload-files`, form(names.map((name) => [name, "x"])));
    expect(result.status).toBe(200);
    expect(result.body.uploaded_files).toEqual(["escape.txt", "evil", "win.txt", "deep.txt", "..%2F..%2Fenc.txt", "ctlname.txt"]);
    expect((result.body.skipped_files as Json[]).map((s) => s.reason)).toEqual(["invalid_name", "invalid_name", "invalid_name"]);
    for (const name of result.body.uploaded_files as string[]) expect(readFileSync(join(workspace, name), "utf8")).toBe("x");
    expect(existsSync(join(dirname(workspace), "escape.txt"))).toBe(false);
    expect(existsSync(join(dirname(dirname(workspace)), "escape.txt"))).toBe(false);
  });

  test("a name that is a symbolic link out of the workspace, or a folder, is not written through", async () => {
    const outside = tempDir("bunhands-upload-outside-");
    try {
      writeFileSync(join(outside.path, "target.txt"), "original");
      symlinkSync(join(outside.path, "target.txt"), join(workspace, "link-out.txt"));
      mkdirSync(join(workspace, "a-folder"));
      const result = await upload(`/api/conversations/${id}/upload-files`, form([["link-out.txt", "overwritten"], ["a-folder", "x"]]));
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("no file was written: no usable name (each was empty, a folder of the workspace, or a symbolic link out of it)");
      expect(result.body.skipped_files).toEqual([
        { name: "link-out.txt", reason: "invalid_name" },
        { name: "a-folder", reason: "invalid_name" },
      ]);
      expect(readFileSync(join(outside.path, "target.txt"), "utf8")).toBe("original");
    } finally {
      outside.cleanup();
    }
  });

  test("a very long name is cut to 200 bytes, keeping its extension", async () => {
    const result = await upload(`/api/conversations/${id}/upload-files`, form([[`${"é".repeat(300)}.txt`, "long"]]));
    const [name] = result.body.uploaded_files as string[];
    expect(Buffer.byteLength(name as string)).toBeLessThanOrEqual(200);
    expect(name?.endsWith(".txt")).toBe(true);
    expect(readFileSync(join(workspace, name as string), "utf8")).toBe("long");
  });

  test("a file over MAX_UPLOAD_BYTES is skipped (too_large); 413 when none was written", async () => {
    const mixed = await upload(`/api/conversations/${id}/upload-files`, form([["small.txt", "ok"], ["big.txt", "x".repeat(MAX + 1)]]));
    expect(mixed.status).toBe(200);
    expect(mixed.body).toEqual({ uploaded_files: ["small.txt"], skipped_files: [{ name: "big.txt", reason: "too_large" }] });
    expect(existsSync(join(workspace, "big.txt"))).toBe(false);
    const none = await upload(`/api/conversations/${id}/upload-files`, form([["big2.txt", "x".repeat(MAX + 1)]]));
    expect(none.status).toBe(413);
    expect(none.body).toMatchObject({ code: "too_large", uploaded_files: [], skipped_files: [{ name: "big2.txt", reason: "too_large" }] });
  });

  test("a request over 10 × MAX_UPLOAD_BYTES is refused from its Content-Length, before parsing", async () => {
    const files: Array<[string, string]> = Array.from({ length: 80 }, (_, i) => [`part${i}.txt`, "y".repeat(MAX)]);
    const refused = await upload(`/api/conversations/${id}/upload-files`, form(files));
    expect(refused.status).toBe(413);
    expect(refused.body.code).toBe("too_large");
    expect(existsSync(join(workspace, "part0.txt"))).toBe(false);
  });

  test("no file field is 400; not multipart is 415; unknown conversation 404", async () => {
    const empty = await upload(`/api/conversations/${id}/upload-files`, form([], { other: "x" }));
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe("invalid_args");
    const textField = await upload(`/api/conversations/${id}/upload-files`, form([], { file: "not a file" }));
    expect(textField.status).toBe(400);
    expect(String(textField.body.error)).toContain("file");
    const json = await upload(`/api/conversations/${id}/upload-files`, JSON.stringify({ file: "x" }), { "content-type": "application/json" });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe("unsupported_type");
    const missing = await upload("/api/conversations/nosuchconversation/upload-files", form([["a.txt", "a"]]));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("not_found");
  });
});

describe("POST /upload", () => {
  test("takes conversation_id as a query parameter or a form field", async () => {
    const byQuery = await upload(`/upload?conversation_id=${id}`, form([["q.txt", "query"]]));
    expect(byQuery.status).toBe(200);
    expect(byQuery.body.uploaded_files).toEqual(["q.txt"]);
    const byField = await upload("/upload", form([["f.txt", "field"]], { conversation_id: id }));
    expect(byField.status).toBe(200);
    expect(readFileSync(join(workspace, "f.txt"), "utf8")).toBe("field");
    const none = await upload("/upload", form([["n.txt", "x"]]));
    expect(none.status).toBe(400);
    expect(String(none.body.error)).toContain("conversation_id");
    const unknown = await upload("/upload?conversation_id=nosuchconversation", form([["n.txt", "x"]]));
    expect(unknown.status).toBe(404);
  });
});

describe("ALLOWED_UPLOAD_TYPES", () => {
  let limited: TestServer;
  let conversation: string;
  let folder: string;

  beforeAll(async () => {
    limited = await startTestServer({ MAX_UPLOAD_BYTES: String(MAX), ALLOWED_UPLOAD_TYPES: ".txt,csv,image/*" });
    const created = await fetch(`${limited.url}/api/conversations`, { method: "POST" });
    conversation = String(((await created.json()) as Json).conversation_id);
    folder = limited.handle.store.getConversation(conversation)?.workspace as string;
  });

  afterAll(async () => {
    await limited.stop();
  });

  test("allows listed extensions and MIME types (implied by the name), skips the rest as unsupported_type", async () => {
    const response = await fetch(`${limited.url}/api/conversations/${conversation}/upload-files`, {
      method: "POST",
      body: form([["a.TXT", "t"], ["b.csv", "c"], ["c.png", "p"], ["d.sh", "#!/bin/sh", "image/png"], ["e", "no extension"]]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      uploaded_files: ["a.TXT", "b.csv", "c.png"],
      skipped_files: [
        { name: "d.sh", reason: "unsupported_type" },
        { name: "e", reason: "unsupported_type" },
      ],
    });
    expect(existsSync(join(folder, "d.sh"))).toBe(false);
    const none = await fetch(`${limited.url}/api/conversations/${conversation}/upload-files`, { method: "POST", body: form([["run.exe", "MZ"]]) });
    expect(none.status).toBe(415);
    expect(await none.json()).toMatchObject({ code: "unsupported_type", skipped_files: [{ name: "run.exe", reason: "unsupported_type" }] });
  });
});

describe("MAX_UPLOAD_BYTES caps uploads only", () => {
  test("with a 1 KiB upload limit, a 3 MB trajectory still creates a conversation (its route's own limit applies)", async () => {
    const trajectory = Array.from({ length: 3000 }, (_, i) => ({ source: "agent", action: "think", args: { thought: `${i} ${"x".repeat(1000)}` } }));
    const created = await call(server, "POST", "/api/conversations", { trajectory });
    expect(created.status).toBe(201);
    expect(created.body.replayed_actions).toBe(0);
  });
});
