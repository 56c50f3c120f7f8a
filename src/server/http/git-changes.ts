import { constants } from "node:fs";
import { access, copyFile, lstat, mkdtemp, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "@hono/zod-openapi";
import { ApiError } from "./errors.ts";
import type { GitRepo } from "./git.ts";
import { type DiffPrefixes, type FileDiff, splitDiff } from "./git-diff-split.ts";

/** Bounds: a huge change set must not become a huge response. */
export const MAX_CHANGES = 1000;
export const MAX_DIFFED_FILES = 200;
export const MAX_DIFF_BYTES = 256 * 1024;
/** One git diff covers many files; read at most what the files' diffs could need together. */
const MAX_DIFF_OUTPUT_BYTES = MAX_DIFFED_FILES * MAX_DIFF_BYTES;
const DIFF_FLAGS = ["--no-ext-diff", "--no-textconv", "--no-color", "--ignore-submodules=all", "--patch-with-raw", "-z"];
/**
 * git diff rewrites the index it reads when it finds stale stat data, and git add writes one: both only ever get a
 * temporary index, written whole (a split index would write its shared part into the repository).
 */
const TEMP_INDEX = ["-c", "core.splitIndex=false"];
/** `git diff --no-index` takes the executable bit from the file whatever core.fileMode says; so do untracked diffs. */
const AS_NO_INDEX = [...TEMP_INDEX, "-c", "core.fileMode=true"];

export const gitChangeSchema = z
  .object({
    path: z.string(),
    old_path: z.string().optional().openapi({ description: "The path before a rename or copy" }),
    status: z.enum(["modified", "added", "deleted", "renamed", "copied", "type_changed", "untracked", "conflicted"]),
    xy: z.string().openapi({ description: "git status --porcelain's two status letters (index, worktree)" }),
    diff: z.string().nullable().openapi({ description: "Unified diff against HEAD (null past the first files)" }),
    diff_truncated: z.boolean(),
  })
  .openapi("GitChange");

export const gitChangesSchema = z
  .object({
    branch: z.string().nullable().openapi({ description: "The checked-out branch; null when detached" }),
    head: z.string().nullable().openapi({ description: "The commit checked out; null before the first commit" }),
    changes: z.array(gitChangeSchema),
    truncated: z.boolean().openapi({ description: `True when more than ${MAX_CHANGES} paths changed` }),
  })
  .openapi("GitChanges");

export type GitChange = z.infer<typeof gitChangeSchema>;
export type GitChanges = z.infer<typeof gitChangesSchema>;

function statusOf(xy: string): GitChange["status"] {
  if (xy === "??") return "untracked";
  if (xy.includes("U") || xy === "AA" || xy === "DD") return "conflicted";
  if (xy.includes("R")) return "renamed";
  if (xy.includes("C")) return "copied";
  if (xy.includes("D")) return "deleted";
  if (xy.includes("A")) return "added";
  if (xy.includes("T")) return "type_changed";
  return "modified";
}

/** `git status --porcelain=v1 -z`: "XY path\0", with the original path as the next field after a rename or copy. */
export function parsePorcelain(output: string): Array<Pick<GitChange, "path" | "old_path" | "status" | "xy">> {
  const fields = output.split("\0");
  const changes: Array<Pick<GitChange, "path" | "old_path" | "status" | "xy">> = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.length < 4) continue;
    const xy = field.slice(0, 2);
    const change: Pick<GitChange, "path" | "old_path" | "status" | "xy"> = { path: field.slice(3), status: statusOf(xy), xy };
    if (xy.includes("R") || xy.includes("C")) change.old_path = fields[++i];
    changes.push(change);
  }
  return changes;
}

/** Git status of the workspace's repository with a unified diff per changed file (working tree against HEAD). */
export async function gitChanges(repo: GitRepo): Promise<GitChanges> {
  const [head, branch, status, prefixes] = await Promise.all([
    repo.run(["rev-parse", "--verify", "-q", "HEAD"]),
    repo.run(["symbolic-ref", "-q", "--short", "HEAD"]),
    repo.run(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=all"]),
    diffPrefixes(repo),
  ]);
  const headId = head.code === 0 ? head.stdout.trim() : null;
  // Before the first commit everything is compared with the empty tree.
  const base = headId ?? (await repo.run(["hash-object", "-t", "tree", "/dev/null"])).stdout.trim();
  const parsed = parsePorcelain(status.stdout);
  const listed = parsed.slice(0, MAX_CHANGES);
  const diffs = await diffChanges(repo, base, prefixes, listed.slice(0, MAX_DIFFED_FILES));
  const changes = listed.map((change, index): GitChange => ({ ...change, ...(diffs[index] ?? { diff: null, diff_truncated: true }) }));
  return {
    branch: branch.code === 0 ? branch.stdout.trim() || null : null,
    head: headId,
    changes,
    truncated: parsed.length > MAX_CHANGES || status.truncated,
  };
}

type ListedChange = Pick<GitChange, "path" | "old_path" | "status">;

/**
 * Each change's diff, as `git diff -M <base> -- [old_path] path` (tracked) or `git diff --no-index /dev/null path`
 * (untracked) would print it alone, from at most four git processes: one diff of the tracked files (no rename
 * detection: alone, a file has no other file to pair with), one of the renamed and copied ones (-M, old and new
 * paths together) and, for the untracked files, a `git add --intent-to-add` into an empty temporary index and a
 * diff of that index, where they show up as new files. Untracked files stay apart from the tracked ones: `git rm
 * --cached f` leaves both a deleted and an untracked `f`, and a tracked diff must not pair a file deleted with an
 * untracked one.
 */
async function diffChanges(repo: GitRepo, base: string, prefixes: Prefixes, changes: ListedChange[]): Promise<FileDiff[]> {
  const diffs: FileDiff[] = changes.map(() => ({ diff: "", diff_truncated: false }));
  const diffable = await Promise.all(changes.map((change) => canDiff(repo.root, change)));
  const indexesOf = (test: (change: ListedChange) => boolean) => [...changes.keys()].filter((at) => diffable[at] && test(changes[at] as ListedChange));
  const untracked = indexesOf((change) => change.status === "untracked");
  const renamed = indexesOf((change) => change.status !== "untracked" && change.old_path !== undefined);
  const tracked = indexesOf((change) => change.status !== "untracked" && change.old_path === undefined);
  const pathspecsAt = (indexes: number[]) => indexes.map((at) => pathspecsOf(changes[at] as ListedChange));
  if (untracked.length + renamed.length + tracked.length === 0) return diffs;
  const dir = await mkdtemp(join(tmpdir(), "bunhands-git-"));
  try {
    const index = join(dir, "index");
    if (tracked.length + renamed.length > 0) await copyIndex(repo.gitDir, index);
    for (const [indexes, renames] of [[tracked, "--no-renames"], [renamed, "-M"]] as const) {
      if (indexes.length === 0) continue;
      const args = [...TEMP_INDEX, "diff", ...DIFF_FLAGS, renames, ...prefixArgs(prefixes.tracked), base, "--", ...pathspecsAt(indexes).flat()];
      place(diffs, indexes, await diffMany(repo, args, { GIT_INDEX_FILE: index, GIT_LITERAL_PATHSPECS: "1" }, prefixes.tracked, pathspecsAt(indexes)));
    }
    if (untracked.length === 0) return diffs;
    const untrackedIndex = join(dir, "untracked-index");
    const add = [...AS_NO_INDEX, "add", "--intent-to-add", "--sparse", "--pathspec-from-file=-", "--pathspec-file-nul"];
    const stdin = Buffer.from(pathspecsAt(untracked).flat().join("\0"));
    const added = await repo.run(add, undefined, { env: { GIT_INDEX_FILE: untrackedIndex, GIT_LITERAL_PATHSPECS: "1" }, stdin });
    if (added.code !== 0) {
      place(diffs, untracked, untracked.map(() => ({ diff: "", diff_truncated: true })));
      return diffs;
    }
    // A diff of that index against the working tree: no pathspecs needed, it holds just these files.
    const args = [...AS_NO_INDEX, "diff", ...DIFF_FLAGS, "--no-renames", ...prefixArgs(prefixes.untracked)];
    place(diffs, untracked, await diffMany(repo, args, { GIT_INDEX_FILE: untrackedIndex }, prefixes.untracked, pathspecsAt(untracked)));
    return diffs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function diffMany(repo: GitRepo, args: string[], env: Record<string, string>, prefixes: DiffPrefixes, pathspecs: string[][]): Promise<FileDiff[]> {
  const output = await repo.runBytes(args, MAX_DIFF_OUTPUT_BYTES, { env });
  // Cut at the read limit, or stopped early (killed, or dead on a file it could not read): files not reached are lost.
  return splitDiff(output.stdout, output.truncated || output.code !== 0, prefixes, pathspecs, MAX_DIFF_BYTES);
}

function pathspecsOf(change: ListedChange): string[] {
  return change.old_path === undefined ? [change.path] : [change.old_path, change.path];
}

function place(diffs: FileDiff[], indexes: number[], found: FileDiff[]): void {
  for (const [i, at] of indexes.entries()) diffs[at] = found[i] as FileDiff;
}

/**
 * Whether a change has a diff of its own, to be asked of git. A file git cannot read stops `git diff` (alone, it had
 * an empty diff; among others, it would take theirs too), and `git diff --no-index /dev/null <path>` gave nothing for
 * a folder (a nested repository shows as `dir/`), a symlink to one (it looks for `dir/null`) or a path gone since.
 */
async function canDiff(root: string, change: ListedChange): Promise<boolean> {
  for (const path of pathspecsOf(change)) {
    const file = join(root, path);
    const stats = await lstat(file).catch(() => undefined);
    if (change.status === "untracked" && (!stats || (await stat(file).catch(() => undefined))?.isDirectory())) return false;
    if (stats?.isFile() && !(await access(file, constants.R_OK).then(() => true, () => false))) return false;
  }
  return true;
}

/** The real index, copied (with its mtime, which git compares with files' to spot racily clean entries), or none. */
async function copyIndex(gitDir: string, to: string): Promise<void> {
  const from = join(gitDir, "index");
  const stats = await lstat(from).catch(() => undefined);
  // Before the first `git add` there is no index: git then starts from an empty one, as it will from no copy.
  if (!stats) return;
  if (!stats.isFile()) throw new ApiError(400, "invalid_args", "the workspace's git index is not a regular file; refused");
  await copyFile(from, to);
  await utimes(to, stats.atime, stats.mtime);
}

type Prefixes = { tracked: DiffPrefixes; untracked: DiffPrefixes };

/**
 * The a/ and b/ of diff headers, which the repository's config can change (diff.noprefix, diff.mnemonicPrefix):
 * given to git explicitly, so that headers can be matched, with the values a per-file git diff would have used
 * (c/ w/ against a commit; 1/ 2/ with --no-index, as untracked files were diffed).
 */
async function diffPrefixes(repo: GitRepo): Promise<Prefixes> {
  const config = await repo.run(["config", "-z", "--type=bool", "--get-regexp", "^diff\\.(noprefix|mnemonicprefix)$"]);
  // "key\nvalue\0" per value; the last one wins, as in git.
  const values = new Map(config.stdout.split("\0").map((entry) => entry.split("\n", 2) as [string, string | undefined]));
  if (values.get("diff.noprefix") === "true") return { tracked: { src: "", dst: "" }, untracked: { src: "", dst: "" } };
  if (values.get("diff.mnemonicprefix") === "true") return { tracked: { src: "c/", dst: "w/" }, untracked: { src: "1/", dst: "2/" } };
  return { tracked: { src: "a/", dst: "b/" }, untracked: { src: "a/", dst: "b/" } };
}

function prefixArgs(prefixes: DiffPrefixes): string[] {
  return [`--src-prefix=${prefixes.src}`, `--dst-prefix=${prefixes.dst}`];
}
