import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../app.ts";
import { limitBody } from "../http/body-limit.ts";
import { errorResponses, invalidArgs } from "../http/errors.ts";
import { conversationIdSchema, conversationParams, json } from "../http/schemas.ts";
import { asFileList, filesField, storeUploads, uploadResultSchema } from "../http/uploads.ts";
import { REQUEST_FILES_FACTOR, uploadRequestCap } from "../request-limits.ts";
import { requireConversation } from "../http/workspace.ts";

const TAG = ["Files"];
const DESCRIPTION =
  `Multipart form data, field \`file\` repeatable. Each file: at most MAX_UPLOAD_BYTES (else skipped, too_large), of a type ALLOWED_UPLOAD_TYPES allows ` +
  `(extensions or MIME types; empty allows every type; else skipped, unsupported_type). A request is refused with 413 past ${REQUEST_FILES_FACTOR} × MAX_UPLOAD_BYTES. ` +
  "Names are reduced to their last path segment and sanitized, then written atomically into the workspace root. " +
  "413 / 415 when no file was written because of size / type; the body then carries the per-file report too.";

const responses = { 200: json(uploadResultSchema, "Written (some files may be skipped: see skipped_files)"), ...errorResponses(400, 401, 404, 413, 415, 429) };

export function uploadRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const middleware = [limitBody(uploadRequestCap(deps.config), "the upload")];

  const upload = createRoute({
    method: "post",
    path: "/upload",
    tags: TAG,
    summary: "Upload files into a conversation's workspace",
    description: `${DESCRIPTION} The conversation is named by the \`conversation_id\` query parameter or form field.`,
    middleware,
    request: {
      query: z.object({ conversation_id: conversationIdSchema.optional() }),
      body: { content: { "multipart/form-data": { schema: z.object({ file: filesField, conversation_id: conversationIdSchema.optional() }) } }, required: true },
    },
    responses,
  });

  const uploadFiles = createRoute({
    method: "post",
    path: "/api/conversations/{id}/upload-files",
    tags: TAG,
    summary: "Upload files into this conversation's workspace",
    description: DESCRIPTION,
    middleware,
    request: { params: conversationParams, body: { content: { "multipart/form-data": { schema: z.object({ file: filesField }) } }, required: true } },
    responses,
  });

  app.openapi(upload, async (c) => {
    const form = c.req.valid("form");
    const id = c.req.valid("query").conversation_id ?? form.conversation_id;
    if (!id) throw invalidArgs("conversation_id is required (query parameter or form field)");
    return c.json(await storeUploads(deps.config, requireConversation(deps.store, id), asFileList(form.file)), 200);
  });

  app.openapi(uploadFiles, async (c) => {
    const record = requireConversation(deps.store, c.req.valid("param").id);
    return c.json(await storeUploads(deps.config, record, asFileList(c.req.valid("form").file)), 200);
  });

  return app;
}
