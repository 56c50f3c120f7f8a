import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { basename, relative, sep } from "node:path";
import { MAX_READ_BYTES } from "../../runtime/files.ts";
import type { AppDeps, AppEnv } from "../app.ts";
import { ApiError, errorResponses, invalidArgs, notFound } from "../http/errors.ts";
import { conversationParams, json } from "../http/schemas.ts";
import { walkWorkspace } from "../http/workspace-walk.ts";
import { requireConversation, resolveClientPath } from "../http/workspace.ts";

/** A listing stops here (and says so): a workspace can hold far more than a client wants at once. */
export const MAX_LISTED_FILES = 10_000;
/** Bytes looked at to tell text from binary (what git does: a NUL byte means binary). */
const SNIFF_BYTES = 8192;

const TAG = ["Files"];
const pathQuery = z.string().min(1).max(4096);

const fileEntrySchema = z
  .object({
    path: z.string().openapi({ description: "Relative to the workspace, '/'-separated", example: "src/main.ts" }),
    type: z.enum(["file", "dir"]),
    size: z.number().int().openapi({ description: "Bytes (0 for folders)" }),
  })
  .openapi("FileEntry");

const listRoute = createRoute({
  method: "get",
  path: "/api/conversations/{id}/files",
  tags: TAG,
  summary: "List the workspace (honours .gitignore; skips .git and node_modules)",
  request: { params: conversationParams, query: z.object({ path: pathQuery.optional().openapi({ description: "A folder of the workspace to list instead of its root" }) }) },
  responses: {
    200: json(z.object({ files: z.array(fileEntrySchema), truncated: z.boolean().openapi({ description: `True when the listing stopped at ${MAX_LISTED_FILES} entries` }) }).openapi("FileList"), "The entries, depth first in name order"),
    ...errorResponses(400, 401, 404, 429),
  },
});

const contentRoute = createRoute({
  method: "get",
  path: "/api/conversations/{id}/files/content",
  tags: TAG,
  summary: "One file's exact text",
  request: { params: conversationParams, query: z.object({ path: pathQuery.openapi({ description: "Relative to the workspace, or absolute inside it (/workspace/…)" }) }) },
  responses: {
    200: { description: "The file's bytes as text", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses(400, 401, 404, 413, 415, 429),
  },
});

const downloadRoute = createRoute({
  method: "get",
  path: "/api/conversations/{id}/files/download",
  tags: TAG,
  summary: "One file's bytes, any type or size, as a download",
  description: "Always application/octet-stream with Content-Disposition: attachment, so a file of the workspace (an HTML page, say) never runs as a page of this server.",
  request: { params: conversationParams, query: z.object({ path: pathQuery.openapi({ description: "Relative to the workspace, or absolute inside it (/workspace/…)" }) }) },
  responses: {
    200: { description: "The file's bytes", content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
    ...errorResponses(400, 401, 404, 429),
  },
});

/** `attachment` with the name as ASCII (others as _) and as RFC 5987 UTF-8 for the browsers that read it. */
function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A regular file the client named inside a conversation's workspace: 404 when missing, 400 when a folder or escaping. */
async function workspaceFile(deps: AppDeps, conversationId: string, requested: string): Promise<{ host: string; info: Stats }> {
  const host = resolveClientPath(requireConversation(deps.store, conversationId), requested);
  const info = await stat(host).catch(() => undefined);
  if (!info) throw notFound(requested);
  if (!info.isFile()) throw invalidArgs(`${requested} is not a file`);
  return { host, info };
}

/** The workspace-relative '/'-path of a host path inside it. */
function workspaceRelative(workspace: string, hostPath: string): string {
  return relative(workspace, hostPath).split(sep).join("/");
}

export function fileRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(listRoute, async (c) => {
    const record = requireConversation(deps.store, c.req.valid("param").id);
    const requested = c.req.valid("query").path;
    let start = "";
    if (requested !== undefined) {
      const host = resolveClientPath(record, requested);
      const info = await stat(host).catch(() => undefined);
      if (!info) throw notFound(requested);
      if (!info.isDirectory()) throw invalidArgs(`${requested} is not a folder`);
      start = workspaceRelative(record.workspace, host);
    }
    const files: Array<{ path: string; type: "file" | "dir"; size: number }> = [];
    let truncated = false;
    for await (const entry of walkWorkspace(record.workspace, start)) {
      if (files.length >= MAX_LISTED_FILES) {
        truncated = true;
        break;
      }
      files.push({ path: entry.path, type: entry.type, size: entry.size });
    }
    return c.json({ files, truncated }, 200);
  });

  app.openapi(contentRoute, async (c) => {
    const requested = c.req.valid("query").path;
    const { host, info } = await workspaceFile(deps, c.req.valid("param").id, requested);
    if (info.size > MAX_READ_BYTES) throw new ApiError(413, "too_large", `${requested} is ${info.size} bytes, over the ${MAX_READ_BYTES}-byte limit`);
    const bytes = new Uint8Array(await Bun.file(host).arrayBuffer());
    if (bytes.subarray(0, SNIFF_BYTES).includes(0)) throw new ApiError(415, "unsupported_type", `${requested} is a binary file; download it with GET /api/conversations/{id}/files/download?path=`);
    return c.text(new TextDecoder().decode(bytes), 200, { "content-type": "text/plain; charset=utf-8" });
  });

  app.openapi(downloadRoute, async (c) => {
    const { host, info } = await workspaceFile(deps, c.req.valid("param").id, c.req.valid("query").path);
    // Streamed from disk; nosniff and a sandbox CSP as well, in case a client ignores the disposition.
    return new Response(Bun.file(host), {
      status: 200,
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(info.size),
        "content-disposition": attachmentDisposition(basename(host)),
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox",
      },
    }) as never;
  });

  return app;
}
