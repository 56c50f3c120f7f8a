import { realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

/** A path that would leave the workspace, or is malformed; answered with an `error` observation. */
export class WorkspacePathError extends Error {}

export type WorkspaceRoots = {
  /** The workspace on the host. */
  host: string;
  /** The workspace as the sandbox's commands see it (/workspace, or the host path itself). */
  sandbox: string;
};

/** Whether `candidate` is `root` or below it (both absolute, already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** The deepest ancestor of a path that exists, resolved through symlinks. */
function realpathOfExistingAncestor(path: string): string {
  let current = path;
  for (;;) {
    try {
      return resolve(realpathSync(current), relative(current, path));
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      current = parent;
    }
  }
}

/**
 * Maps a path named by a client or the agent (relative to the workspace, or absolute as the sandbox or the
 * host sees it) to a host path inside the workspace; throws WorkspacePathError for anything that escapes
 * it, including through a symlink.
 */
export function resolveWorkspacePath(roots: WorkspaceRoots, requested: string): string {
  if (requested.length === 0) throw new WorkspacePathError("the path is empty");
  if (requested.includes("\0")) throw new WorkspacePathError("the path contains a NUL byte");
  if (requested.length > 4096) throw new WorkspacePathError("the path is longer than 4096 characters");
  let host: string;
  if (isAbsolute(requested)) {
    const normalized = resolve(requested);
    if (isInside(roots.sandbox, normalized)) host = resolve(roots.host, relative(roots.sandbox, normalized));
    else if (isInside(roots.host, normalized)) host = normalized;
    else throw new WorkspacePathError(`${requested} is outside the workspace (${roots.sandbox})`);
  } else {
    host = resolve(roots.host, requested);
  }
  if (!isInside(roots.host, host)) throw new WorkspacePathError(`${requested} is outside the workspace (${roots.sandbox})`);
  const realRoot = realpathOfExistingAncestor(roots.host);
  const realTarget = realpathOfExistingAncestor(host);
  if (!isInside(realRoot, realTarget)) throw new WorkspacePathError(`${requested} leads outside the workspace through a symbolic link`);
  return host;
}

/** The path as the sandbox sees it, for messages. */
export function toSandboxPath(roots: WorkspaceRoots, hostPath: string): string {
  const rel = relative(roots.host, hostPath);
  return rel === "" ? roots.sandbox : `${roots.sandbox.replace(/\/$/, "")}/${rel}`;
}
