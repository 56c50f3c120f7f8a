import { z } from "@hono/zod-openapi";
import type { GitRepo } from "./git.ts";

/** Bounds: a huge change set must not become a huge response. */
export const MAX_CHANGES = 1000;
const MAX_DIFFED_FILES = 200;
const MAX_DIFF_BYTES = 256 * 1024;
const DIFF_FLAGS = ["--no-ext-diff", "--no-textconv", "--no-color", "--ignore-submodules=all"];

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
  const head = await repo.run(["rev-parse", "--verify", "-q", "HEAD"]);
  const headId = head.code === 0 ? head.stdout.trim() : null;
  // Before the first commit everything is compared with the empty tree.
  const base = headId ?? (await repo.run(["hash-object", "-t", "tree", "/dev/null"])).stdout.trim();
  const branch = await repo.run(["symbolic-ref", "-q", "--short", "HEAD"]);
  const status = await repo.run(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=all"]);
  const parsed = parsePorcelain(status.stdout);
  const listed = parsed.slice(0, MAX_CHANGES);
  const changes: GitChange[] = [];
  for (const [index, change] of listed.entries()) {
    if (index >= MAX_DIFFED_FILES) {
      changes.push({ ...change, diff: null, diff_truncated: true });
      continue;
    }
    const args =
      change.status === "untracked"
        ? ["diff", "--no-index", ...DIFF_FLAGS, "--", "/dev/null", change.path]
        : ["diff", ...DIFF_FLAGS, "-M", base, "--", ...(change.old_path ? [change.old_path] : []), change.path];
    const diff = await repo.run(args, MAX_DIFF_BYTES);
    changes.push({ ...change, diff: diff.stdout, diff_truncated: diff.truncated });
  }
  return {
    branch: branch.code === 0 ? branch.stdout.trim() || null : null,
    head: headId,
    changes,
    truncated: parsed.length > MAX_CHANGES || status.truncated,
  };
}
