import { z } from "@hono/zod-openapi";
import { stat } from "node:fs/promises";
import type { Config } from "../../config.ts";
import type { ConversationRecord } from "../../events/store.ts";
import { writeAtomically } from "../../runtime/files.ts";
import { log } from "../../log.ts";
import { ApiError } from "./errors.ts";
import { sanitizeUploadName, uploadTypeAllowed } from "./upload-policy.ts";
import { resolveClientPath } from "./workspace.ts";

const SKIP_REASONS = ["too_large", "unsupported_type", "invalid_name", "write_failed"] as const;
type SkipReason = (typeof SKIP_REASONS)[number];

export const uploadResultSchema = z
  .object({
    uploaded_files: z.array(z.string()).openapi({ description: "Names as written into the workspace root (sanitized)" }),
    skipped_files: z.array(z.object({ name: z.string(), reason: z.enum(SKIP_REASONS) })),
  })
  .openapi("UploadResult");
export type UploadResult = z.infer<typeof uploadResultSchema>;

const fileField = z.custom<File>((value) => value instanceof File, "must be a file part").openapi({ type: "string", format: "binary" });
/** The multipart field `file`, repeatable. */
export const filesField = z.union([fileField, z.array(fileField)]).optional().openapi({ description: "One part per file (repeat the field)" });

/**
 * Writes each file into the workspace root, atomically, under its sanitized name; reports every file. Throws
 * (with the report) when none was written: 413 when one was too large, 415 when a type was not allowed.
 */
export async function storeUploads(config: Config, record: ConversationRecord, files: File[]): Promise<UploadResult> {
  if (files.length === 0) throw new ApiError(400, "invalid_args", 'no file: send multipart/form-data with one or more "file" fields');
  const result: UploadResult = { uploaded_files: [], skipped_files: [] };
  const skip = (name: string, reason: SkipReason) => result.skipped_files.push({ name, reason });
  for (const file of files) {
    const name = sanitizeUploadName(file.name);
    if (!name) {
      skip(file.name, "invalid_name");
      continue;
    }
    if (file.size > config.MAX_UPLOAD_BYTES) {
      skip(name, "too_large");
      continue;
    }
    if (!uploadTypeAllowed(config.ALLOWED_UPLOAD_TYPES, name)) {
      skip(name, "unsupported_type");
      continue;
    }
    try {
      // The name has no separator left, so this is the workspace root; the check still refuses a symlink out.
      const target = resolveClientPath(record, name);
      if ((await stat(target).catch(() => undefined))?.isDirectory()) {
        skip(name, "invalid_name");
        continue;
      }
      await writeAtomically(target, new Uint8Array(await file.arrayBuffer()));
      result.uploaded_files.push(name);
    } catch (error) {
      if (error instanceof ApiError) skip(name, "invalid_name");
      else {
        log.warn("upload write failed", { conversation_id: record.conversation_id, name, error: String(error) });
        skip(name, "write_failed");
      }
    }
  }
  if (result.uploaded_files.length > 0) return result;
  const reasons = new Set(result.skipped_files.map((s) => s.reason));
  if (reasons.has("too_large")) throw new ApiError(413, "too_large", `no file was written: over the ${config.MAX_UPLOAD_BYTES}-byte limit per file (MAX_UPLOAD_BYTES)`, result);
  if (reasons.has("unsupported_type")) throw new ApiError(415, "unsupported_type", `no file was written: type not allowed (ALLOWED_UPLOAD_TYPES: ${config.ALLOWED_UPLOAD_TYPES.join(", ")})`, result);
  if (reasons.has("write_failed")) throw new ApiError(500, "internal", "no file could be written", result);
  throw new ApiError(400, "invalid_args", "no file was written: no usable name (each was empty, a folder of the workspace, or a symbolic link out of it)", result);
}

export function asFileList(field: File | File[] | undefined): File[] {
  if (field === undefined) return [];
  return Array.isArray(field) ? field : [field];
}
