import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { MAX_READ_BYTES } from "../src/runtime/files.ts";
import { call, createConversation, type Json } from "./support/http.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { tempDir } from "./support/temp.ts";

let server: TestServer;
let id: string;
let workspace: string;
const outside = tempDir("bunhands-outside-");

function write(relative: string, content: string | Uint8Array) {
  mkdirSync(join(workspace, relative, ".."), { recursive: true });
  writeFileSync(join(workspace, relative), content);
}

beforeAll(async () => {
  server = await startTestServer();
  ({ id, workspace } = await createConversation(server));
  write("README.md", "# hello\n");
  write("src/main.ts", "console.log(1);\n");
  write("src/lib/util.ts", "export const x = 1;\n");
  write("build/out.js", "generated");
  write("debug.log", "noise");
  write("src/keep.log", "kept by a negation");
  write("src/lib/.gitignore", "secret.txt\n");
  write("src/lib/secret.txt", "ignored by the nested .gitignore");
  write(".gitignore", "build/\n*.log\n!src/keep.log\n");
  write("node_modules/dep/index.js", "module.exports = 1;");
  write(".git/config", "[core]");
  write("image.bin", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
  mkdirSync(join(workspace, "empty"));
  writeFileSync(join(outside.path, "secret.txt"), "outside the workspace");
  symlinkSync(join(outside.path, "secret.txt"), join(workspace, "link-out"));
  symlinkSync("README.md", join(workspace, "link-in"));
});

afterAll(async () => {
  await server.stop();
  outside.cleanup();
});

describe("GET /api/conversations/:id/files", () => {
  test("lists the workspace, honouring .gitignore (nested, negated) and skipping .git and node_modules", async () => {
    const listing = await call(server, "GET", `/api/conversations/${id}/files`);
    expect(listing.status).toBe(200);
    expect(listing.body.truncated).toBe(false);
    const files = listing.body.files as Json[];
    expect(files.map((f) => f.path)).toEqual([
      ".gitignore",
      "README.md",
      "empty",
      "image.bin",
      "link-in",
      "src",
      "src/keep.log",
      "src/lib",
      "src/lib/.gitignore",
      "src/lib/util.ts",
      "src/main.ts",
    ]);
    expect(files.find((f) => f.path === "README.md")).toEqual({ path: "README.md", type: "file", size: 8 });
    expect(files.find((f) => f.path === "src")).toEqual({ path: "src", type: "dir", size: 0 });
  });

  test("path lists one folder; escapes are 400, missing folders 404, files 400", async () => {
    const sub = await call(server, "GET", `/api/conversations/${id}/files?path=src/lib`);
    expect((sub.body.files as Json[]).map((f) => f.path)).toEqual(["src/lib/.gitignore", "src/lib/util.ts"]);
    expect((await call(server, "GET", `/api/conversations/${id}/files?path=../..`)).status).toBe(400);
    expect((await call(server, "GET", `/api/conversations/${id}/files?path=nope`)).status).toBe(404);
    expect((await call(server, "GET", `/api/conversations/${id}/files?path=README.md`)).status).toBe(400);
    expect((await call(server, "GET", "/api/conversations/nosuchconversation/files")).status).toBe(404);
  });
});

describe("GET /api/conversations/:id/files/content", () => {
  const content = (path: string) => call(server, "GET", `/api/conversations/${id}/files/content?path=${encodeURIComponent(path)}`);

  test("returns a file's exact text, by relative or /workspace path", async () => {
    const readme = await content("README.md");
    expect(readme.status).toBe(200);
    expect(readme.headers.get("content-type")).toContain("text/plain");
    expect(readme.text).toBe("# hello\n");
    expect((await content("/workspace/src/main.ts")).text).toBe("console.log(1);\n");
    expect((await content(join(workspace, "src/main.ts"))).text).toBe("console.log(1);\n");
    expect((await content("link-in")).text).toBe("# hello\n");
  });

  test("binary is 415 unsupported_type; past the cap 413 too_large", async () => {
    const binary = await content("image.bin");
    expect(binary.status).toBe(415);
    expect(binary.body.code).toBe("unsupported_type");
    write("huge.txt", "");
    truncateSync(join(workspace, "huge.txt"), MAX_READ_BYTES + 1);
    const huge = await content("huge.txt");
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe("too_large");
  });

  test("escapes are 400 invalid_args and never read; missing is 404; a folder is 400", async () => {
    for (const path of ["../../../etc/passwd", "/etc/passwd", "link-out", "src/../../x", "a\0b", `${"a/".repeat(2100)}x`]) {
      const refused = await content(path);
      expect({ path: path.slice(0, 30), status: refused.status, code: refused.body.code }).toEqual({ path: path.slice(0, 30), status: 400, code: "invalid_args" });
      expect(refused.text).not.toContain("outside the workspace\n");
    }
    const encoded = await call(server, "GET", `/api/conversations/${id}/files/content?path=..%2F..%2F..%2Fetc%2Fpasswd`);
    expect(encoded.status).toBe(400);
    const missing = await content("nope.txt");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("not_found");
    expect((await content("src")).status).toBe(400);
    const noPath = await call(server, "GET", `/api/conversations/${id}/files/content`);
    expect(noPath.status).toBe(400);
    expect(String(noPath.body.error)).toContain("path");
  });
});

describe("GET /api/conversations/:id/files/download", () => {
  const download = (path: string) => fetch(`${server.url}/api/conversations/${id}/files/download?path=${encodeURIComponent(path)}`);

  test("any file's exact bytes as an attachment that never runs as a page of the server", async () => {
    write("page.html", "<script>fetch('/api/conversations')</script>");
    write("docs/résumé ✓.pdf", new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe]));
    for (const [path, name, bytes] of [
      ["image.bin", 'filename="image.bin"', [0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]],
      ["/workspace/page.html", 'filename="page.html"', [...new TextEncoder().encode("<script>fetch('/api/conversations')</script>")]],
      ["docs/résumé ✓.pdf", `filename="r_sum_ _.pdf"; filename*=UTF-8''${encodeURIComponent("résumé ✓.pdf")}`, [0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe]],
    ] as const) {
      const response = await download(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/octet-stream");
      expect(response.headers.get("content-disposition")).toStartWith(`attachment; ${name}`);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-security-policy")).toBe("sandbox");
      expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([...bytes]);
    }
  });

  test("a file past the text cap downloads whole", async () => {
    write("big.bin", "");
    truncateSync(join(workspace, "big.bin"), MAX_READ_BYTES + 5);
    const response = await download("big.bin");
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(MAX_READ_BYTES + 5);
  });

  test("escapes are 400 invalid_args and never read; missing is 404; a folder is 400", async () => {
    for (const path of ["../../../etc/passwd", "/etc/passwd", "link-out", "a\0b"]) {
      const refused = await download(path);
      const text = await refused.text();
      expect({ path, status: refused.status, code: (JSON.parse(text) as Json).code }).toEqual({ path, status: 400, code: "invalid_args" });
      expect(text).not.toContain("outside the workspace\n");
    }
    expect((await download("nope.bin")).status).toBe(404);
    expect((await download("src")).status).toBe(400);
  });
});

describe("GET /api/conversations/:id/zip", () => {
  test("streams the listed files as a zip with their exact bytes", async () => {
    const response = await fetch(`${server.url}/api/conversations/${id}/zip`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toContain(".zip");
    const entries = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const text = (name: string) => new TextDecoder().decode(entries[name]);
    expect(text("README.md")).toBe("# hello\n");
    expect(text("src/lib/util.ts")).toBe("export const x = 1;\n");
    expect(text("src/keep.log")).toBe("kept by a negation");
    expect([...(entries["image.bin"] ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]);
    expect(Object.keys(entries)).toContain("empty/");
    for (const skipped of ["build/out.js", "debug.log", "node_modules/dep/index.js", ".git/config", "link-out", "src/lib/secret.txt"]) expect(entries[skipped]).toBeUndefined();
  });

  test("a large file survives the streaming round trip", async () => {
    const { id: other, workspace: otherWorkspace } = await createConversation(server);
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
    writeFileSync(join(otherWorkspace, "big.dat"), big);
    const response = await fetch(`${server.url}/api/conversations/${other}/zip`);
    const entries = unzipSync(new Uint8Array(await response.arrayBuffer()));
    expect(entries["big.dat"]?.length).toBe(big.length);
    expect(Buffer.from(entries["big.dat"] as Uint8Array).equals(Buffer.from(big))).toBe(true);
    expect((await call(server, "GET", "/api/conversations/nosuchconversation/zip")).status).toBe(404);
  });
});

describe("GET /api/conversations/:id/git/changes", () => {
  async function git(cwd: string, ...args: string[]) {
    const proc = Bun.spawn(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: cwd, GIT_CONFIG_NOSYSTEM: "1" } });
    if ((await proc.exited) !== 0) throw new Error(`git ${args.join(" ")}: ${await new Response(proc.stderr).text()}`);
  }

  test("status and a diff per changed file", async () => {
    const { id: repoId, workspace: repo } = await createConversation(server);
    await git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "kept.txt"), "one\ntwo\n");
    writeFileSync(join(repo, "gone.txt"), "bye\n");
    writeFileSync(join(repo, "old name.txt"), "moving\n");
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", "first");
    writeFileSync(join(repo, "kept.txt"), "one\n2\n");
    await git(repo, "rm", "-q", "gone.txt");
    await git(repo, "mv", "old name.txt", "new name.txt");
    writeFileSync(join(repo, "fresh.txt"), "brand new\n");
    writeFileSync(join(repo, "staged.txt"), "staged\n");
    await git(repo, "add", "staged.txt");

    const response = await call(server, "GET", `/api/conversations/${repoId}/git/changes`);
    expect(response.status).toBe(200);
    expect(response.body.branch).toBe("main");
    expect(String(response.body.head)).toMatch(/^[0-9a-f]{40,64}$/);
    const changes = response.body.changes as Json[];
    const byPath = Object.fromEntries(changes.map((c) => [c.path, c]));
    expect(Object.keys(byPath).sort()).toEqual(["fresh.txt", "gone.txt", "kept.txt", "new name.txt", "staged.txt"]);
    expect(byPath["kept.txt"]).toMatchObject({ status: "modified", diff_truncated: false });
    expect(String(byPath["kept.txt"]?.diff)).toContain("-two\n+2\n");
    expect(byPath["gone.txt"]?.status).toBe("deleted");
    expect(String(byPath["gone.txt"]?.diff)).toContain("-bye");
    expect(byPath["new name.txt"]).toMatchObject({ status: "renamed", old_path: "old name.txt" });
    expect(byPath["fresh.txt"]?.status).toBe("untracked");
    expect(String(byPath["fresh.txt"]?.diff)).toContain("+brand new");
    expect(byPath["staged.txt"]?.status).toBe("added");
    expect(String(byPath["staged.txt"]?.diff)).toContain("+staged");
  });

  test("a repository without commits compares with the empty tree", async () => {
    const { id: repoId, workspace: repo } = await createConversation(server);
    await git(repo, "init", "-q", "-b", "trunk");
    writeFileSync(join(repo, "a.txt"), "a\n");
    await git(repo, "add", "a.txt");
    const response = await call(server, "GET", `/api/conversations/${repoId}/git/changes`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ branch: "trunk", head: null });
    expect((response.body.changes as Json[])[0]).toMatchObject({ path: "a.txt", status: "added" });
    expect(String((response.body.changes as Json[])[0]?.diff)).toContain("+a");
  });

  test("404 when the workspace is not a repository; a repository that defines filter commands is refused", async () => {
    const plain = await call(server, "GET", `/api/conversations/${id}/git/changes`);
    expect(plain.status).toBe(404);
    expect(plain.body.code).toBe("not_found");
    const { id: repoId, workspace: repo } = await createConversation(server);
    await git(repo, "init", "-q");
    const marker = join(outside.path, "filter-ran");
    await git(repo, "config", "filter.evil.clean", `touch ${marker}; cat`);
    writeFileSync(join(repo, ".gitattributes"), "* filter=evil\n");
    writeFileSync(join(repo, "x.txt"), "x\n");
    const refused = await call(server, "GET", `/api/conversations/${repoId}/git/changes`);
    expect(refused.status).toBe(400);
    expect(String(refused.body.error)).toContain("filter.evil.clean");
    expect(await Bun.file(marker).exists()).toBe(false);
    expect((await call(server, "GET", "/api/conversations/nosuchconversation/git/changes")).status).toBe(404);
  });
});
