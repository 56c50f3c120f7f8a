import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { EditArgs } from "../events/schema.ts";
import { writeAtomically } from "./files.ts";
import { resolveWorkspacePath, toSandboxPath, type WorkspaceRoots } from "./paths.ts";

/** A mistake the model (or client) can act on: answered as an `error` observation with this text. */
export class EditorError extends Error {}

export type EditResult = { content: string; diff: string };

const SNIPPET_LINES = 4;
const MAX_VIEW_ENTRIES = 400;

/**
 * OpenHands' str_replace_editor over the workspace: view, create, str_replace, insert, undo_edit.
 * Keeps one undo history per file for the life of the conversation.
 */
export class FileEditor {
  private readonly history = new Map<string, string[]>();

  constructor(private readonly roots: WorkspaceRoots) {}

  async execute(args: EditArgs): Promise<EditResult> {
    const path = resolveWorkspacePath(this.roots, args.path);
    const shown = toSandboxPath(this.roots, path);
    switch (args.command) {
      case "view":
        return { content: await this.view(path, shown, args.view_range), diff: "" };
      case "create":
        return this.create(path, shown, args.file_text);
      case "str_replace":
        return this.replace(path, shown, args.old_str, args.new_str ?? "");
      case "insert":
        return this.insert(path, shown, args.insert_line, args.new_str);
      case "undo_edit":
        return this.undo(path, shown);
    }
  }

  private async view(path: string, shown: string, range?: number[]): Promise<string> {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new EditorError(`The path ${shown} does not exist. Please provide a valid path.`);
    if (info.isDirectory()) {
      if (range) throw new EditorError("The view_range parameter is not allowed when path points to a directory.");
      const entries = await listTwoLevels(path);
      return `Here's the files and directories up to 2 levels deep in ${shown}, excluding hidden items:\n${entries.map((e) => toSandboxPath(this.roots, e)).join("\n")}`;
    }
    const lines = (await Bun.file(path).text()).split("\n");
    let start = 1;
    let end = lines.length;
    if (range) {
      const [from = 1, to = -1] = range;
      if (from < 1 || from > lines.length) throw new EditorError(`Invalid view_range [${from}, ${to}]: the first line must be within [1, ${lines.length}].`);
      if (to !== -1 && (to < from || to > lines.length)) throw new EditorError(`Invalid view_range [${from}, ${to}]: the last line must be -1 or within [${from}, ${lines.length}].`);
      start = from;
      end = to === -1 ? lines.length : to;
    }
    return `Here's the result of running \`cat -n\` on ${shown}:\n${numbered(lines.slice(start - 1, end), start)}`;
  }

  private async create(path: string, shown: string, fileText?: string): Promise<EditResult> {
    if (fileText === undefined) throw new EditorError("Parameter `file_text` is required for command: create.");
    if (await Bun.file(path).exists()) throw new EditorError(`File already exists at: ${shown}. Cannot overwrite files using command \`create\`.`);
    await writeAtomically(path, fileText);
    this.remember(path, "");
    return { content: `File created successfully at: ${shown}`, diff: unifiedDiff(shown, "", fileText) };
  }

  private async replace(path: string, shown: string, oldStr: string | undefined, newStr: string): Promise<EditResult> {
    if (oldStr === undefined || oldStr === "") throw new EditorError("Parameter `old_str` is required and must not be empty for command: str_replace.");
    const before = await this.readExisting(path, shown);
    const occurrences = countOccurrences(before, oldStr);
    if (occurrences === 0) throw new EditorError(`No replacement was performed, old_str \`${oldStr}\` did not appear verbatim in ${shown}.`);
    if (occurrences > 1) {
      const lines = linesContaining(before, oldStr);
      throw new EditorError(`No replacement was performed. Multiple occurrences of old_str \`${oldStr}\` in lines ${lines.join(", ")}. Please ensure it is unique.`);
    }
    const at = before.indexOf(oldStr);
    const after = before.slice(0, at) + newStr + before.slice(at + oldStr.length);
    await writeAtomically(path, after);
    this.remember(path, before);
    const firstLine = before.slice(0, at).split("\n").length;
    const snippet = snippetAround(after, firstLine, newStr.split("\n").length);
    return {
      content: `The file ${shown} has been edited. Here's the result of running \`cat -n\` on a snippet of ${shown}:\n${snippet}\nReview the changes and make sure they are as expected. Edit the file again if necessary.`,
      diff: unifiedDiff(shown, before, after),
    };
  }

  private async insert(path: string, shown: string, insertLine: number | undefined, newStr: string | undefined): Promise<EditResult> {
    if (insertLine === undefined) throw new EditorError("Parameter `insert_line` is required for command: insert.");
    if (newStr === undefined) throw new EditorError("Parameter `new_str` is required for command: insert.");
    const before = await this.readExisting(path, shown);
    const lines = before.split("\n");
    if (insertLine > lines.length) throw new EditorError(`Invalid \`insert_line\` parameter: ${insertLine}. It should be within the range of lines of the file: [0, ${lines.length}].`);
    const after = [...lines.slice(0, insertLine), ...newStr.split("\n"), ...lines.slice(insertLine)].join("\n");
    await writeAtomically(path, after);
    this.remember(path, before);
    const snippet = snippetAround(after, insertLine + 1, newStr.split("\n").length);
    return {
      content: `The file ${shown} has been edited. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${snippet}\nReview the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.`,
      diff: unifiedDiff(shown, before, after),
    };
  }

  private async undo(path: string, shown: string): Promise<EditResult> {
    const stack = this.history.get(path);
    const previous = stack?.pop();
    if (previous === undefined) throw new EditorError(`No edit history found for ${shown}.`);
    const current = await Bun.file(path).text().catch(() => "");
    await writeAtomically(path, previous);
    return { content: `Last edit to ${shown} undone successfully. Here's the result of running \`cat -n\` on ${shown}:\n${numbered(previous.split("\n"), 1)}`, diff: unifiedDiff(shown, current, previous) };
  }

  private async readExisting(path: string, shown: string): Promise<string> {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new EditorError(`The path ${shown} does not exist. Please provide a valid path.`);
    if (info.isDirectory()) throw new EditorError(`The path ${shown} is a directory; only view works on directories.`);
    return Bun.file(path).text();
  }

  private remember(path: string, before: string): void {
    const stack = this.history.get(path) ?? [];
    stack.push(before);
    if (stack.length > 20) stack.shift();
    this.history.set(path, stack);
  }
}

function numbered(lines: string[], first: number): string {
  return lines.map((line, i) => `${String(first + i).padStart(6)}\t${line}`).join("\n");
}

function snippetAround(text: string, firstLine: number, lineCount: number): string {
  const lines = text.split("\n");
  const start = Math.max(1, firstLine - SNIPPET_LINES);
  const end = Math.min(lines.length, firstLine + lineCount - 1 + SNIPPET_LINES);
  return numbered(lines.slice(start - 1, end), start);
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

function linesContaining(text: string, needle: string): number[] {
  const result: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) result.push(text.slice(0, at).split("\n").length);
  return result;
}

function unifiedDiff(shown: string, before: string, after: string): string {
  return createTwoFilesPatch(shown, shown, before, after, "", "", { context: 3 });
}

async function listTwoLevels(root: string): Promise<string[]> {
  const result: string[] = [root];
  const walk = async (dir: string, depth: number) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".") || result.length >= MAX_VIEW_ENTRIES) continue;
      const full = join(dir, entry.name);
      result.push(full);
      if (entry.isDirectory() && depth < 2) await walk(full, depth + 1);
    }
  };
  await walk(root, 1);
  return result.filter((p) => relative(root, p) !== "" || p === root);
}
