import { readFile, readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";
import { isInside } from "../../runtime/paths.ts";

export type WorkspaceEntry = {
  /** Relative to the workspace, with "/" separators. */
  path: string;
  type: "file" | "dir";
  size: number;
  /** Where to read it on the host (a symlink's target, which is inside the workspace). */
  hostPath: string;
};

/** Never listed, whatever .gitignore says: they are huge and not the user's work. */
const ALWAYS_SKIPPED = new Set([".git", "node_modules"]);

/** The .gitignore rules of one folder, for paths relative to it. */
type Scope = { base: string; rules: Ignore };

async function loadScope(root: string, base: string): Promise<Scope | undefined> {
  const text = await readFile(join(root, base, ".gitignore"), "utf8").catch(() => undefined);
  return text === undefined ? undefined : { base, rules: ignore().add(text) };
}

/** Git's precedence: the deepest .gitignore that has a say about the path decides. */
function isIgnored(scopes: Scope[], path: string, isDir: boolean): boolean {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i] as Scope;
    const rel = scope.base === "" ? path : path.slice(scope.base.length + 1);
    const verdict = scope.rules.test(isDir ? `${rel}/` : rel);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/**
 * The files and folders of a workspace (or of one folder in it), depth first in name order, honouring every
 * .gitignore on the way and skipping .git and node_modules. Symbolic links are followed only when they stay
 * inside the workspace, and never descended into (no loops).
 */
export async function* walkWorkspace(root: string, start = ""): AsyncGenerator<WorkspaceEntry> {
  const realRoot = await realpath(root).catch(() => undefined);
  if (!realRoot) return;
  const scopes: Scope[] = [];
  // The rules of the folders above the starting one apply too.
  const parts = start === "" ? [] : start.split("/");
  for (let depth = 0; depth <= parts.length; depth++) {
    const scope = await loadScope(root, parts.slice(0, depth).join("/"));
    if (scope) scopes.push(scope);
  }
  yield* walkFolder(root, realRoot, start, scopes);
}

async function* walkFolder(root: string, realRoot: string, folder: string, scopes: Scope[]): AsyncGenerator<WorkspaceEntry> {
  const dirents = await readdir(join(root, folder), { withFileTypes: true }).catch(() => []);
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of dirents) {
    if (ALWAYS_SKIPPED.has(dirent.name)) continue;
    const path = folder === "" ? dirent.name : `${folder}/${dirent.name}`;
    const hostPath = join(root, path);
    if (dirent.isSymbolicLink()) {
      const target = await realpath(hostPath).catch(() => undefined);
      if (!target || !isInside(realRoot, target)) continue;
      const info = await stat(target).catch(() => undefined);
      if (!info || isIgnored(scopes, path, info.isDirectory())) continue;
      if (info.isDirectory()) yield { path, type: "dir", size: 0, hostPath: target };
      else if (info.isFile()) yield { path, type: "file", size: info.size, hostPath: target };
      continue;
    }
    if (dirent.isDirectory()) {
      if (isIgnored(scopes, path, true)) continue;
      yield { path, type: "dir", size: 0, hostPath };
      const own = await loadScope(root, path);
      yield* walkFolder(root, realRoot, path, own ? [...scopes, own] : scopes);
      continue;
    }
    if (!dirent.isFile() || isIgnored(scopes, path, false)) continue;
    const info = await stat(hostPath).catch(() => undefined);
    if (info) yield { path, type: "file", size: info.size, hostPath };
  }
}
