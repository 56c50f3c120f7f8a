/**
 * Run as a child process by test/git-changes.test.ts, as an unprivileged user when the tests run as root (root
 * reads any file): makes a repository in DIR/repo with files it cannot read and prints what gitChanges said of each.
 * Usage: bun test/support/unreadable-diff.ts DIR
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gitChanges } from "../../src/server/http/git-changes.ts";
import { GitRepo } from "../../src/server/http/git.ts";

const parent = process.argv[2];
if (!parent) throw new Error("usage: unreadable-diff.ts DIR");
// Made by this process, so that git finds the repository owned by the user it runs as.
const dir = join(parent, "repo");
mkdirSync(dir);
const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
const git = (...args: string[]) => {
  const done = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, env });
  if (done.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${done.stderr.toString()}`);
};
git("init", "-q", "-b", "main");
for (const name of ["a.txt", "b.txt", "c.txt"]) writeFileSync(join(dir, name), `${name}\n`);
git("add", "-A");
git("commit", "-q", "-m", "first");
for (const name of ["a.txt", "b.txt", "c.txt", "u.txt", "v.txt", "w.txt"]) writeFileSync(join(dir, name), `${name} changed\n`);
chmodSync(join(dir, "b.txt"), 0);
chmodSync(join(dir, "v.txt"), 0);
const result = await gitChanges(await GitRepo.open(dir));
console.log(JSON.stringify(result.changes.map((change) => [change.path, change.diff === "" ? "empty" : "diff"])));
