import { readWorkspaceFile } from "../runtime/files.ts";
import type { WorkspaceRoots } from "../runtime/paths.ts";

/**
 * Files in which a repository tells coding agents how to work in it, in the order they are read: the
 * cross-tool AGENTS.md, and OpenHands' repository microagent, so a repository set up for either works here.
 */
const INSTRUCTION_FILES = ["AGENTS.md", ".openhands/microagents/repo.md"] as const;
/** Per file: instructions are a page or two; past this they would crowd the task out of the context. */
export const MAX_INSTRUCTION_CHARS = 20_000;

export type RepoInstruction = { path: string; text: string };

/**
 * The instruction files present at the top of the workspace, read inside it (a symlink out of it is not
 * followed), each cut to MAX_INSTRUCTION_CHARS. A missing or unreadable file is skipped.
 */
export async function loadRepoInstructions(roots: WorkspaceRoots): Promise<RepoInstruction[]> {
  const found: RepoInstruction[] = [];
  for (const path of INSTRUCTION_FILES) {
    const text = await readWorkspaceFile(roots, { path }).catch(() => undefined);
    if (!text?.trim()) continue;
    const cut = text.length > MAX_INSTRUCTION_CHARS;
    found.push({ path, text: cut ? `${text.slice(0, MAX_INSTRUCTION_CHARS)}\n[... cut at ${MAX_INSTRUCTION_CHARS} characters ...]` : text });
  }
  return found;
}
