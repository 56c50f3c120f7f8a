import { isAbsolute, join, relative, resolve } from "node:path";

export class WorkspaceDirectoryError extends Error {}

/** WORKSPACE_BASE/<id>, or a folder inside WORKSPACE_BASE named by initialize.directory. */
export function conversationWorkspace(base: string, conversationId: string, directory?: string): string {
  if (!directory) return join(base, conversationId);
  if (directory.includes("\0")) throw new WorkspaceDirectoryError("directory contains a NUL byte");
  const target = resolve(base, directory);
  const rel = relative(base, target);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) throw new WorkspaceDirectoryError(`directory ${directory} must be a folder inside WORKSPACE_BASE (${base})`);
  return target;
}
