import type { z } from "zod";
import { getApiKey, requestApiKey } from "./auth.ts";
import {
  conversationPageSchema,
  conversationSchema,
  createdConversationSchema,
  errorBodySchema,
  fileListingSchema,
  uploadResultSchema,
  type Conversation,
  type FileEntry,
  type UploadResult,
} from "./wire.ts";

/** An HTTP answer that was not a success, with the protocol's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function withKey(init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  const key = getApiKey();
  if (key) headers.set("X-Session-API-Key", key);
  return { ...init, headers };
}

/** fetch with the session key; a 401 asks the user for a key and tries again. */
async function send(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const response = await fetch(path, withKey(init));
    if (response.status !== 401) return response;
    const hadKey = Boolean(getApiKey());
    await requestApiKey(hadKey ? "The server rejected the saved session API key." : "This server needs a session API key.");
  }
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) return new ApiError(response.status, parsed.data.code, parsed.data.error);
  return new ApiError(response.status, "internal", text.trim() || `HTTP ${response.status}`);
}

async function json<S extends z.ZodType>(schema: S, path: string, init?: RequestInit): Promise<z.infer<S>> {
  const response = await send(path, init);
  if (!response.ok) throw await failure(response);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(response.status, "invalid_response", `unexpected answer from ${path}: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

function conversationPath(id: string, rest = ""): string {
  return `/api/conversations/${encodeURIComponent(id)}${rest}`;
}

const jsonHeaders = { "Content-Type": "application/json" };

/** The server's largest page of conversations. */
const CONVERSATION_PAGE = 100;

/** The `wanted` newest conversations (pages of 100 followed by next_page_id), and whether older ones exist. */
export async function listConversations(wanted = CONVERSATION_PAGE): Promise<{ conversations: Conversation[]; more: boolean }> {
  const conversations: Conversation[] = [];
  let pageId: string | null | undefined;
  do {
    const limit = Math.min(CONVERSATION_PAGE, wanted - conversations.length);
    const query = `limit=${limit}${pageId ? `&page_id=${encodeURIComponent(pageId)}` : ""}`;
    const page = await json(conversationPageSchema, `/api/conversations?${query}`);
    conversations.push(...page.results);
    pageId = page.next_page_id;
  } while (pageId && conversations.length < wanted);
  return { conversations, more: Boolean(pageId) };
}

export function createConversation(body: { initial_task?: string; title?: string; confirmation_mode?: boolean } = {}): Promise<string> {
  return json(createdConversationSchema, "/api/conversations", { method: "POST", headers: jsonHeaders, body: JSON.stringify(body) }).then(
    (created) => created.conversation_id,
  );
}

export function getConversation(id: string): Promise<Conversation> {
  return json(conversationSchema, conversationPath(id));
}

export async function renameConversation(id: string, title: string): Promise<void> {
  const response = await send(conversationPath(id), { method: "PATCH", headers: jsonHeaders, body: JSON.stringify({ title }) });
  if (!response.ok) throw await failure(response);
}

/** Confirmation mode on or off for one conversation (takes effect at once, for a running agent too). */
export function setConfirmationMode(id: string, on: boolean): Promise<Conversation> {
  return json(conversationSchema, conversationPath(id), { method: "PATCH", headers: jsonHeaders, body: JSON.stringify({ confirmation_mode: on }) });
}

export async function deleteConversation(id: string): Promise<void> {
  const response = await send(conversationPath(id), { method: "DELETE" });
  if (!response.ok) throw await failure(response);
}

export function listFiles(id: string): Promise<FileEntry[]> {
  return json(fileListingSchema, conversationPath(id, "/files")).then((listing) => listing.files);
}

export async function readFile(id: string, path: string): Promise<string> {
  const response = await send(conversationPath(id, `/files/content?path=${encodeURIComponent(path)}`));
  if (!response.ok) throw await failure(response);
  return response.text();
}

export async function uploadFiles(id: string, files: File[]): Promise<UploadResult> {
  const form = new FormData();
  for (const file of files) form.append("file", file, file.name);
  const response = await send(conversationPath(id, "/upload-files"), { method: "POST", body: form });
  // 413 and 415 still say which files were skipped and why: show that rather than a bare status.
  const body: unknown = await response.clone().json().catch(() => null);
  const result = uploadResultSchema.safeParse(body);
  if (result.success) return result.data;
  if (response.ok) throw new ApiError(response.status, "invalid_response", `unexpected answer to the upload: ${result.error.issues[0]?.message ?? "invalid"}`);
  throw await failure(response);
}

export function zipUrl(id: string): string {
  return conversationPath(id, "/zip");
}

/** One workspace file's bytes as an attachment (any type or size). */
export function fileDownloadUrl(id: string, path: string): string {
  return conversationPath(id, `/files/download?path=${encodeURIComponent(path)}`);
}

/** A download fetched with the key (a plain link cannot send the header). */
export async function fetchDownload(url: string): Promise<Blob> {
  const response = await send(url);
  if (!response.ok) throw await failure(response);
  return response.blob();
}

/** Checks that a conversation can be reached: used before the WebSocket reconnects. */
export async function probeConversation(id: string): Promise<"ok" | "not_found" | "offline"> {
  try {
    const response = await send(conversationPath(id));
    if (response.status === 404) return "not_found";
    return response.ok ? "ok" : "offline";
  } catch {
    return "offline";
  }
}
