import { mkdir, rename, stat, writeFile as fsWriteFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ReadArgs, WriteArgs } from "../events/schema.ts";
import { resolveWorkspacePath, type WorkspaceRoots } from "./paths.ts";

export const MAX_READ_BYTES = 10 * 1024 * 1024;

/** A file-system failure with its errno code, so that it is reported as what it is (not as a path escape). */
function fileError(code: "ENOENT" | "EISDIR" | "EFBIG", message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** Reads a workspace file's exact text, or a line range of it (`start` and `end` are 0-based, end exclusive; -1 = to the end). */
export async function readWorkspaceFile(roots: WorkspaceRoots, args: ReadArgs): Promise<string> {
  const path = resolveWorkspacePath(roots, args.path);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw fileError("ENOENT", `${args.path} does not exist`);
  if (info.isDirectory()) throw fileError("EISDIR", `${args.path} is a directory`);
  if (info.size > MAX_READ_BYTES) throw fileError("EFBIG", `${args.path} is ${info.size} bytes, over the ${MAX_READ_BYTES}-byte read limit`);
  const text = await Bun.file(path).text();
  if (args.start === undefined && args.end === undefined) return text;
  const lines = text.split("\n");
  const end = args.end === undefined || args.end < 0 ? lines.length : args.end;
  return lines.slice(args.start ?? 0, end).join("\n");
}

/** Writes a workspace file atomically (temp file, then rename), creating its parents. */
export async function writeWorkspaceFile(roots: WorkspaceRoots, args: WriteArgs): Promise<string> {
  const path = resolveWorkspacePath(roots, args.path);
  await writeAtomically(path, args.content);
  return path;
}

export async function writeAtomically(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.bunhands-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  await fsWriteFile(temp, content);
  await rename(temp, path);
}
