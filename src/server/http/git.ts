import { existsSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { isInside } from "../../runtime/paths.ts";
import { ApiError, notFound } from "./errors.ts";

export type GitResult = { code: number; stdout: string; truncated: boolean };
export type GitBytesResult = { code: number; stdout: Buffer; truncated: boolean };
/** Extra environment (GIT_INDEX_FILE, say) and bytes for git's stdin (pathspecs, say). */
export type GitRunOptions = { env?: Record<string, string>; stdin?: Uint8Array };

/**
 * The workspace is written by the agent's sandbox, so its repository is untrusted: git runs on the host here,
 * and a repository's config can name commands git would run (fsmonitor, hooks, clean filters). These settings
 * switch off the ones that can be switched off; `assertSafeRepository` refuses repositories that define the rest.
 */
const HARDENING = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false", "-c", "color.ui=false"];
const TIMEOUT_MS = 30_000;

/**
 * Config keys that would make `git status`/`git diff` run a command despite HARDENING and the diff flags
 * (--no-ext-diff, --no-textconv, --ignore-submodules): clean/smudge filters.
 */
const COMMAND_KEYS = [/^filter\./i];

export class GitRepo {
  private constructor(
    readonly root: string,
    private readonly env: Record<string, string>,
    /** The repository's git directory (absolute; inside the workspace), where its index lives. */
    readonly gitDir: string,
  ) {}

  /** The workspace's own repository, or a 404 when the workspace is not (the top of) a git repository. */
  static async open(workspace: string): Promise<GitRepo> {
    const root = await realpath(workspace).catch(() => undefined);
    if (!root) throw notFound("the workspace");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: root,
      LC_ALL: "C",
      // Nothing from the host's git setup, no discovery above the workspace, no prompts, no index writes.
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CEILING_DIRECTORIES: dirname(root),
      GIT_TERMINAL_PROMPT: "0",
      GIT_OPTIONAL_LOCKS: "0",
    };
    const probe = new GitRepo(root, env, "");
    const top = await probe.run(["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"]);
    const [toplevel, gitDir, commonDir] = top.stdout.split("\n");
    if (top.code !== 0 || !toplevel) throw new ApiError(404, "not_found", "the workspace is not a git repository");
    // A repository above the workspace, a worktree elsewhere or a .git file pointing out would show files outside it.
    const inside = async (path: string | undefined) => {
      if (!path) return false;
      const real = await realpath(resolve(root, path)).catch(() => undefined);
      return real !== undefined && isInside(root, real);
    };
    if ((await realpath(toplevel).catch(() => "")) !== root) throw new ApiError(404, "not_found", "the workspace is not the top of a git repository");
    if (!(await inside(gitDir)) || !(await inside(commonDir))) throw new ApiError(404, "not_found", "the workspace's repository lives outside the workspace");
    if (existsSync(join(resolve(root, commonDir as string), "objects", "info", "alternates"))) throw new ApiError(400, "invalid_args", "the workspace's repository borrows objects from another repository (alternates); refused");
    const repo = new GitRepo(root, env, gitDir as string);
    await repo.assertSafe();
    return repo;
  }

  private async assertSafe(): Promise<void> {
    const config = await this.run(["config", "--list", "--name-only", "--includes"]);
    const risky = config.stdout.split("\n").filter((key) => COMMAND_KEYS.some((pattern) => pattern.test(key)));
    if (risky.length > 0) throw new ApiError(400, "invalid_args", `the workspace's git config defines commands (${[...new Set(risky)].join(", ")}) that the server will not run on the host`);
  }

  /** Runs git in the repository; stdout is cut at `maxBytes` (the process is then stopped). */
  async run(args: string[], maxBytes = 8 * 1024 * 1024, options: GitRunOptions = {}): Promise<GitResult> {
    const result = await this.runBytes(args, maxBytes, options);
    return { ...result, stdout: result.stdout.toString("utf8") };
  }

  /** `run` with stdout as bytes, for output that is cut per file by byte counts. */
  async runBytes(args: string[], maxBytes: number, options: GitRunOptions = {}): Promise<GitBytesResult> {
    const proc = Bun.spawn(["git", ...HARDENING, ...args], {
      cwd: this.root,
      env: { ...this.env, ...options.env },
      stdin: options.stdin ?? "ignore",
      stdout: "pipe",
      stderr: "ignore",
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), TIMEOUT_MS);
    try {
      const chunks: Uint8Array[] = [];
      let size = 0;
      let truncated = false;
      for await (const chunk of proc.stdout) {
        chunks.push(chunk);
        size += chunk.byteLength;
        if (size > maxBytes) {
          truncated = true;
          proc.kill("SIGKILL");
          break;
        }
      }
      const code = await proc.exited;
      const stdout = Buffer.concat(chunks).subarray(0, maxBytes);
      return { code: truncated ? 0 : code, stdout, truncated };
    } finally {
      clearTimeout(timer);
    }
  }
}
