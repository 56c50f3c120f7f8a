import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type GitChange, type GitChanges, gitChanges, MAX_DIFF_BYTES, MAX_DIFFED_FILES } from "../src/server/http/git-changes.ts";
import { GitRepo } from "../src/server/http/git.ts";
import { splitDiff } from "../src/server/http/git-diff-split.ts";
import { tempDir } from "./support/temp.ts";

/**
 * gitChanges diffs all files in a few git processes; each file's diff must be what the per-file command it replaced
 * (`git diff -M <base> -- [old_path] path`, or `git diff --no-index /dev/null path` when untracked) printed, read up
 * to MAX_DIFF_BYTES. Those commands run here, after gitChanges, as GitRepo ran them.
 */

const temps: Array<{ cleanup: () => void }> = [];
afterAll(() => {
  for (const temp of temps) temp.cleanup();
});

function newRepo(): string {
  const temp = tempDir("bunhands-git-changes-");
  temps.push(temp);
  return temp.path;
}

function write(repo: string, relative: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(repo, relative)), { recursive: true });
  writeFileSync(join(repo, relative), content);
}

async function spawnGit(cwd: string, args: string[], env: Record<string, string> = {}, mayFail = false): Promise<{ code: number; stdout: Buffer }> {
  const proc = Bun.spawn(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C", ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  if (code > 1 && !mayFail) throw new Error(`git ${args.join(" ")}: ${stderr}`);
  return { code, stdout: Buffer.from(stdout) };
}

async function git(cwd: string, ...args: string[]): Promise<void> {
  const result = await spawnGit(cwd, ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args]);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed`);
}

/** GitRepo's settings for every git it runs. */
const HARDENING = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false", "-c", "color.ui=false"];
const OLD_DIFF_FLAGS = ["--no-ext-diff", "--no-textconv", "--no-color", "--ignore-submodules=all"];

/**
 * The old per-file command's output, cut as GitRepo.run cut it. Pathspecs are literal: the old command read a name
 * like `*.txt` as a glob and printed the diffs of every .txt file (see the `*.txt` test).
 */
async function perFileDiff(repo: string, base: string, change: GitChange, env = { GIT_LITERAL_PATHSPECS: "1" }): Promise<Pick<GitChange, "diff" | "diff_truncated">> {
  const args =
    change.status === "untracked"
      ? ["diff", "--no-index", ...OLD_DIFF_FLAGS, "--", "/dev/null", change.path]
      : ["diff", ...OLD_DIFF_FLAGS, "-M", base, "--", ...(change.old_path ? [change.old_path] : []), change.path];
  // Like GitRepo.run, whatever git's exit code (--no-index exits with 1 on a difference, git dies on an unreadable file).
  const { stdout } = await spawnGit(repo, [...HARDENING, ...args], { GIT_OPTIONAL_LOCKS: "0", ...env }, true);
  return { diff: stdout.subarray(0, MAX_DIFF_BYTES).toString("utf8"), diff_truncated: stdout.length > MAX_DIFF_BYTES };
}

function gitTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith("bunhands-git-") && !name.startsWith("bunhands-git-changes-"));
}

/** gitChanges on the repository, checked file by file against the per-file commands; the real index is left as it was. */
async function expectPerFileDiffs(repo: string): Promise<GitChanges> {
  const indexFile = join(repo, ".git", "index");
  const before = existsSync(indexFile) ? readFileSync(indexFile) : null;
  const tempsBefore = gitTempDirs();
  const result = await gitChanges(await GitRepo.open(repo));
  expect(existsSync(indexFile) ? readFileSync(indexFile) : null).toEqual(before);
  expect(existsSync(`${indexFile}.lock`)).toBe(false);
  expect(gitTempDirs()).toEqual(tempsBefore);
  const base = result.head ?? (await spawnGit(repo, ["hash-object", "-t", "tree", "/dev/null"])).stdout.toString().trim();
  for (const [index, change] of result.changes.entries()) {
    const expected = index < MAX_DIFFED_FILES ? await perFileDiff(repo, base, change) : { diff: null, diff_truncated: true };
    expect({ path: change.path, diff: change.diff, diff_truncated: change.diff_truncated }).toEqual({ path: change.path, ...expected });
  }
  return result;
}

function summary(result: GitChanges): string[] {
  return result.changes.map((change) => `${change.xy} ${change.old_path ? `${change.old_path} -> ` : ""}${change.path}`);
}

describe("gitChanges: one diff per file, from a fixed number of git processes", () => {
  test("modified, added, deleted, renamed, untracked, binary and oddly named files", async () => {
    const repo = newRepo();
    await git(repo, "init", "-q", "-b", "main");
    const odd = ["with space.txt", 'a "quote".txt', "tab\there.txt", "new\nline.txt", "back\\slash.txt", "ünï.txt"];
    write(repo, "kept.txt", "one\ntwo\nthree\n");
    write(repo, "gone.txt", "bye\n");
    write(repo, "dir/removed-here.txt", "only the working tree loses me\n");
    write(repo, "old name.txt", "moving\nalong\nwith\nenough\nlines\n");
    write(repo, "moved-and-edited.txt", "a\nb\nc\nd\ne\nf\n");
    write(repo, "image.bin", Buffer.from([0, 1, 2, 3, 255, 0, 7]));
    write(repo, "untracked-later.txt", "was tracked\n");
    write(repo, "shell-moved.txt", "moved by mv, not git mv\n");
    write(repo, "type.txt", "a file, then a symlink\n");
    write(repo, "reverted.txt", "as committed\n");
    write(repo, "touched.txt", "same content\n");
    for (const name of odd) write(repo, name, `${name}\n`);
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", "first");

    write(repo, "kept.txt", "one\n2\nthree\n");
    await git(repo, "rm", "-q", "gone.txt");
    rmSync(join(repo, "dir/removed-here.txt"));
    await git(repo, "mv", "old name.txt", "new name.txt");
    mkdirSync(join(repo, "sub"));
    await git(repo, "mv", "moved-and-edited.txt", "sub/moved.txt");
    write(repo, "sub/moved.txt", "a\nb\nc\nd\ne\nF\n");
    write(repo, "image.bin", Buffer.from([0, 1, 2, 4, 255, 0, 7]));
    write(repo, "staged.txt", "staged\n");
    await git(repo, "add", "staged.txt");
    await git(repo, "rm", "-q", "--cached", "untracked-later.txt");
    rmSync(join(repo, "shell-moved.txt"));
    write(repo, "shell-moved-to.txt", "moved by mv, not git mv\n");
    rmSync(join(repo, "type.txt"));
    symlinkSync("kept.txt", join(repo, "type.txt"));
    for (const name of odd) write(repo, name, `${name}\nchanged\n`);
    // Staged, then put back as committed: diffed against HEAD, a file with stale stat data and no change. git diff
    // then refreshes the index it read (the old per-file commands rewrote .git/index here); here it must not.
    write(repo, "reverted.txt", "staged change\n");
    await git(repo, "add", "reverted.txt");
    write(repo, "reverted.txt", "as committed\n");
    utimesSync(join(repo, "touched.txt"), new Date(), new Date(Date.now() + 5000));
    for (const name of odd) write(repo, `fresh ${name}`, `untracked ${name}\n`);
    write(repo, "fresh.txt", "brand new\n");
    write(repo, "empty.txt", "");
    write(repo, "fresh.bin", Buffer.from([0, 0, 0, 1]));
    write(repo, "run.sh", "#!/bin/sh\n");
    chmodSync(join(repo, "run.sh"), 0o755);
    symlinkSync("kept.txt", join(repo, "link"));
    symlinkSync("sub", join(repo, "link-to-dir"));
    mkdirSync(join(repo, "nested"));
    await git(join(repo, "nested"), "init", "-q");
    write(repo, "nested/inner.txt", "inside a nested repository\n");

    const result = await expectPerFileDiffs(repo);
    const byPath = new Map(result.changes.map((change) => [change.path, change]));
    expect(byPath.get("new name.txt")).toMatchObject({ status: "renamed", old_path: "old name.txt" });
    expect(byPath.get("new name.txt")?.diff).toContain("rename from old name.txt\nrename to new name.txt\n");
    expect(byPath.get("sub/moved.txt")).toMatchObject({ status: "renamed", old_path: "moved-and-edited.txt" });
    expect(byPath.get("reverted.txt")).toMatchObject({ xy: "MM", diff: "" });
    expect(byPath.get("gone.txt")?.status).toBe("deleted");
    expect(byPath.get("staged.txt")?.status).toBe("added");
    expect(byPath.get("type.txt")?.status).toBe("type_changed");
    expect(byPath.get("image.bin")?.diff).toContain("Binary files a/image.bin and b/image.bin differ");
    expect(byPath.get("fresh.txt")).toMatchObject({ status: "untracked", diff_truncated: false });
    expect(byPath.get("fresh.txt")?.diff).toContain("+brand new");
    expect(byPath.get("new\nline.txt")?.diff).toStartWith('diff --git "a/new\\nline.txt" "b/new\\nline.txt"\n');
    expect(byPath.get("fresh tab\there.txt")?.diff).toContain("+untracked tab\there.txt");
    // Deleted from the index but still on disk: a deleted file and an untracked one, each diffed on its own.
    expect(result.changes.filter((change) => change.path === "untracked-later.txt").map((change) => change.status)).toEqual(["deleted", "untracked"]);
    // A nested repository (and a symlink to a folder) had no diff of their own, and have none.
    expect(byPath.get("nested/")).toMatchObject({ status: "untracked", diff: "" });
    expect(byPath.get("link-to-dir")).toMatchObject({ status: "untracked", diff: "" });
    expect(result.changes.every((change) => change.diff !== null && !change.diff_truncated)).toBe(true);
  });

  test("a file named *.txt is diffed alone, not as a glob", async () => {
    const repo = newRepo();
    await git(repo, "init", "-q", "-b", "main");
    for (const name of ["*.txt", "a.txt", "b.txt", ":x", "x", "[ab].txt"]) write(repo, name, `${name}\n`);
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", "first");
    for (const name of ["*.txt", "a.txt", "b.txt", ":x", "[ab].txt"]) write(repo, name, `${name} changed\n`);
    write(repo, "*.md", "untracked glob-like name\n");
    const result = await expectPerFileDiffs(repo);
    const star = result.changes.find((change) => change.path === "*.txt");
    expect(star?.diff).toStartWith("diff --git a/*.txt b/*.txt\n");
    expect(star?.diff?.match(/^diff --git /gm)?.length).toBe(1);
    // The old command, reading `*.txt` as a glob, gave this file the diffs of a.txt and b.txt too.
    const globbed = await perFileDiff(repo, result.head as string, star as GitChange, { GIT_LITERAL_PATHSPECS: "0" });
    expect(globbed.diff?.match(/^diff --git /gm)?.length).toBe(4);
  });

  test("a diff past MAX_DIFF_BYTES is cut where one file's git diff was cut", async () => {
    const repo = newRepo();
    await git(repo, "init", "-q", "-b", "main");
    // Multi-byte characters, so that the cut can fall inside one.
    const big = (tag: string) => Array.from({ length: 30_000 }, (_, i) => `${tag} ünïcödé line ${i}`).join("\n");
    write(repo, "a-big.txt", "small\n");
    write(repo, "c-small.txt", "small\n");
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", "first");
    write(repo, "a-big.txt", big("tracked"));
    write(repo, "c-small.txt", "still small\n");
    write(repo, "b-big-untracked.txt", big("untracked"));
    write(repo, "d-untracked.txt", "small\n");
    const result = await expectPerFileDiffs(repo);
    expect(result.changes.map((change) => [change.path, change.diff_truncated])).toEqual([
      ["a-big.txt", true],
      ["c-small.txt", false],
      ["b-big-untracked.txt", true],
      ["d-untracked.txt", false],
    ]);
    expect(Buffer.byteLength(result.changes[0]?.diff ?? "")).toBeGreaterThanOrEqual(MAX_DIFF_BYTES - 3);
  });

  test("a repository before its first commit is compared with the empty tree", async () => {
    const repo = newRepo();
    await git(repo, "init", "-q", "-b", "trunk");
    write(repo, "staged.txt", "staged\n");
    write(repo, "staged then edited.txt", "staged\n");
    await git(repo, "add", "staged.txt", "staged then edited.txt");
    write(repo, "staged then edited.txt", "edited\n");
    write(repo, "untracked.txt", "untracked\n");
    const result = await expectPerFileDiffs(repo);
    expect(result).toMatchObject({ branch: "trunk", head: null, truncated: false });
    expect(summary(result)).toEqual(["AM staged then edited.txt", "A  staged.txt", "?? untracked.txt"]);
  });

  test("a repository without an index (nothing added yet)", async () => {
    const repo = newRepo();
    await git(repo, "init", "-q", "-b", "main");
    write(repo, "only.txt", "untracked\n");
    const result = await expectPerFileDiffs(repo);
    expect(existsSync(join(repo, ".git", "index"))).toBe(false);
    expect(result.changes[0]?.diff).toContain("+untracked");
  });

  test("a merge conflict and a repository whose config changes the diff prefixes", async () => {
    const repo = newRepo();
    await git(repo, "init", "-q", "-b", "main");
    write(repo, "both.txt", "base\n");
    write(repo, "plain.txt", "plain\n");
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", "first");
    await git(repo, "checkout", "-q", "-b", "other");
    write(repo, "both.txt", "theirs\n");
    await git(repo, "commit", "-q", "-am", "theirs");
    await git(repo, "checkout", "-q", "main");
    write(repo, "both.txt", "ours\n");
    await git(repo, "commit", "-q", "-am", "ours");
    await spawnGit(repo, ["-c", "user.name=t", "-c", "user.email=t@example.com", "merge", "-q", "other"]);
    write(repo, "plain.txt", "edited\n");
    write(repo, "new.txt", "new\n");
    expect(summary(await expectPerFileDiffs(repo))).toEqual(["UU both.txt", " M plain.txt", "?? new.txt"]);
    await git(repo, "config", "diff.mnemonicPrefix", "true");
    const mnemonic = await expectPerFileDiffs(repo);
    expect(mnemonic.changes.map((change) => change.diff?.split("\n")[0])).toEqual(["diff --git c/both.txt w/both.txt", "diff --git c/plain.txt w/plain.txt", "diff --git 1/new.txt 2/new.txt"]);
    await git(repo, "config", "diff.noprefix", "yes");
    const bare = await expectPerFileDiffs(repo);
    expect(bare.changes[2]?.diff).toStartWith("diff --git new.txt new.txt\n");
  });

  // Root reads any file: under root the case runs in a child process as nobody (setpriv, util-linux).
  test("a file git cannot read has an empty diff and takes no other file's with it", async () => {
    const repo = newRepo();
    chmodSync(repo, 0o777);
    const asNobody = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];
    const script = join(import.meta.dir, "support/unreadable-diff.ts");
    const child = Bun.spawn([...asNobody, process.execPath, script, repo], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: repo } });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    if (code !== 0) throw new Error(`unreadable-diff.ts exited with ${code}: ${stderr}`);
    expect(JSON.parse(stdout)).toEqual([
      ["a.txt", "diff"],
      ["b.txt", "empty"],
      ["c.txt", "diff"],
      ["u.txt", "diff"],
      ["v.txt", "empty"],
      ["w.txt", "diff"],
    ]);
  });

  test("250 changed files: the first 200 are diffed, the rest are not", async () => {
    const repo = newRepo();
    await git(repo, "init", "-q", "-b", "main");
    const names = Array.from({ length: 250 }, (_, i) => `f${String(i).padStart(3, "0")}.txt`);
    for (const name of names) write(repo, name, `${name}\n`);
    await git(repo, "add", "-A");
    await git(repo, "commit", "-q", "-m", "first");
    for (const name of names) write(repo, name, `${name} changed\n`);
    const result = await expectPerFileDiffs(repo);
    expect(result.changes.map((change) => change.path)).toEqual(names);
    expect(result.changes.filter((change) => change.diff !== null).length).toBe(MAX_DIFFED_FILES);
    expect(result.changes[MAX_DIFFED_FILES]).toMatchObject({ diff: null, diff_truncated: true });
    expect(result.changes[0]?.diff).toContain("+f000.txt changed");
  }, 60_000);

  test("when the combined output was cut, the files it did not reach in full are marked truncated", async () => {
    const raw = [":100644 100644 1111111 0000000 M", "one.txt", ":100644 100644 2222222 0000000 M", "two.txt", ":100644 100644 3333333 0000000 M", "three.txt", ""].join("\0");
    const blocks = ["one.txt", "three.txt", "two.txt"].map((name) => `diff --git a/${name} b/${name}\n--- a/${name}\n+++ b/${name}\n@@ -1 +1 @@\n-old\n+new\n`);
    const whole = Buffer.from(`${raw}\0${blocks.join("")}`);
    const files = [["one.txt"], ["two.txt"], ["three.txt"], ["absent.txt"]];
    const prefixes = { src: "a/", dst: "b/" };
    expect(splitDiff(whole, false, prefixes, files, 1000)).toEqual([
      { diff: blocks[0] as string, diff_truncated: false },
      { diff: blocks[2] as string, diff_truncated: false },
      { diff: blocks[1] as string, diff_truncated: false },
      { diff: "", diff_truncated: false },
    ]);
    // Cut inside the second block (three.txt, in git's order): two.txt is never reached.
    const cut = whole.subarray(0, whole.length - (blocks[2] as string).length - 5);
    expect(splitDiff(cut, true, prefixes, files, 1000)).toEqual([
      { diff: blocks[0] as string, diff_truncated: false },
      { diff: "", diff_truncated: true },
      { diff: (blocks[1] as string).slice(0, -5), diff_truncated: true },
      { diff: "", diff_truncated: true },
    ]);
    // Each file is cut at maxBytes, by bytes.
    expect(splitDiff(whole, false, prefixes, files, 10)[0]).toEqual({ diff: "diff --git", diff_truncated: true });
  });
});
