import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EditorError, FileEditor } from "../src/runtime/editor.ts";
import { readWorkspaceFile } from "../src/runtime/files.ts";
import { resolveWorkspacePath, WorkspacePathError } from "../src/runtime/paths.ts";
import { tempDir } from "./support/temp.ts";

const dir = tempDir();
const host = join(dir.path, "ws");
mkdirSync(host);
mkdirSync(join(dir.path, "ws-sibling"));
symlinkSync("/etc", join(host, "etc-link"));
symlinkSync(join(host, "inner.txt"), join(host, "inner-link"));
writeFileSync(join(host, "inner.txt"), "x");
const roots = { host, sandbox: "/workspace" };
afterAll(() => dir.cleanup());

describe("resolveWorkspacePath", () => {
  test.each([
    ["a.txt", join(host, "a.txt")],
    ["sub/../b.txt", join(host, "b.txt")],
    ["/workspace/c.txt", join(host, "c.txt")],
    [join(host, "d.txt"), join(host, "d.txt")],
    ["inner-link", join(host, "inner-link")],
  ])("%p stays inside", (requested, expected) => {
    expect(resolveWorkspacePath(roots, requested)).toBe(expected);
  });

  test.each(["../x", "/etc/passwd", "/workspace/../etc/passwd", "etc-link/passwd", "etc-link", "nul\0byte", "", "../ws-sibling/x", "a".repeat(5000)])("%p is refused", (requested) => {
    expect(() => resolveWorkspacePath(roots, requested)).toThrow(WorkspacePathError);
  });
});

describe("reading", () => {
  test("a line range", async () => {
    writeFileSync(join(host, "lines.txt"), "l0\nl1\nl2\nl3");
    expect(await readWorkspaceFile(roots, { path: "lines.txt", start: 1, end: 3 })).toBe("l1\nl2");
    expect(await readWorkspaceFile(roots, { path: "lines.txt" })).toBe("l0\nl1\nl2\nl3");
  });
});

describe("FileEditor (str_replace_editor)", () => {
  const editor = new FileEditor(roots);

  test("create, then refuse to overwrite", async () => {
    const created = await editor.execute({ command: "create", path: "e/new.py", file_text: "print('a')\n" });
    expect(created.content).toContain("/workspace/e/new.py");
    expect(created.diff).toContain("+print('a')");
    await expect(editor.execute({ command: "create", path: "e/new.py", file_text: "x" })).rejects.toThrow(EditorError);
  });

  test("str_replace needs exactly one match, with errors the model can act on", async () => {
    writeFileSync(join(host, "s.txt"), "foo\nbar\nfoo\n");
    await expect(editor.execute({ command: "str_replace", path: "s.txt", old_str: "foo", new_str: "x" })).rejects.toThrow(/Multiple occurrences.*lines 1, 3/);
    await expect(editor.execute({ command: "str_replace", path: "s.txt", old_str: "nope", new_str: "x" })).rejects.toThrow(/did not appear verbatim/);
    const ok = await editor.execute({ command: "str_replace", path: "s.txt", old_str: "bar", new_str: "baz" });
    expect(readFileSync(join(host, "s.txt"), "utf8")).toBe("foo\nbaz\nfoo\n");
    expect(ok.diff).toContain("-bar");
    expect(ok.diff).toContain("+baz");
  });

  test("insert after a line, then undo_edit twice restores the original", async () => {
    writeFileSync(join(host, "i.txt"), "one\ntwo");
    await editor.execute({ command: "insert", path: "i.txt", insert_line: 1, new_str: "one-and-a-half" });
    expect(readFileSync(join(host, "i.txt"), "utf8")).toBe("one\none-and-a-half\ntwo");
    await editor.execute({ command: "str_replace", path: "i.txt", old_str: "two", new_str: "2" });
    await editor.execute({ command: "undo_edit", path: "i.txt" });
    await editor.execute({ command: "undo_edit", path: "i.txt" });
    expect(readFileSync(join(host, "i.txt"), "utf8")).toBe("one\ntwo");
    await expect(editor.execute({ command: "undo_edit", path: "i.txt" })).rejects.toThrow(/No edit history/);
    await expect(editor.execute({ command: "insert", path: "i.txt", insert_line: 99, new_str: "x" })).rejects.toThrow(/insert_line/);
  });

  test("view numbers lines, honours view_range, and lists directories", async () => {
    writeFileSync(join(host, "v.txt"), "a\nb\nc");
    const all = await editor.execute({ command: "view", path: "v.txt" });
    expect(all.content).toContain("     1\ta\n     2\tb\n     3\tc");
    const part = await editor.execute({ command: "view", path: "v.txt", view_range: [2, -1] });
    expect(part.content).not.toContain("\ta\n");
    expect(part.content).toContain("     2\tb");
    const listing = await editor.execute({ command: "view", path: "." });
    expect(listing.content).toContain("/workspace/v.txt");
    await expect(editor.execute({ command: "view", path: "missing.txt" })).rejects.toThrow(/does not exist/);
  });
});
