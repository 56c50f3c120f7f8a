import type { ConversationRecord, EventStore } from "../../events/store.ts";
import { resolveWorkspacePath, WorkspacePathError, type WorkspaceRoots } from "../../runtime/paths.ts";
import { SANDBOX_WORKSPACE } from "../../runtime/runtime.ts";
import { ApiError, notFound } from "./errors.ts";

/** The stored conversation, or a 404 (no session is loaded: reading needs no sandbox). */
export function requireConversation(store: EventStore, id: string): ConversationRecord {
  const record = store.getConversation(id);
  if (!record) throw notFound(`conversation ${id}`);
  return record;
}

export function workspaceRoots(record: ConversationRecord): WorkspaceRoots {
  return { host: record.workspace, sandbox: SANDBOX_WORKSPACE };
}

/** A client-named path mapped into the workspace; escapes, NUL bytes and the like are 400 invalid_args. */
export function resolveClientPath(record: ConversationRecord, requested: string): string {
  try {
    return resolveWorkspacePath(workspaceRoots(record), requested);
  } catch (error) {
    if (error instanceof WorkspacePathError) throw new ApiError(400, "invalid_args", error.message);
    throw error;
  }
}
