import { extname } from "node:path";

/**
 * File names longer than this (in UTF-8 bytes) are cut, keeping the extension: file systems stop at 255, and
 * the atomic write's temporary name adds a suffix of ~30 bytes.
 */
export const MAX_NAME_BYTES = 200;

/**
 * A client's file name reduced to something safe to create in the workspace root: its last path segment
 * (either slash), without control characters (NUL included), trimmed, NFC, at most MAX_NAME_BYTES. Returns
 * undefined when nothing usable is left ("", ".", "..", or dots only).
 */
export function sanitizeUploadName(raw: string): string | undefined {
  const segment = raw.split(/[\\/]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  let name = segment.normalize("NFC").replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  if (/^\.*$/.test(name)) return undefined;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) name = shorten(name);
  return name;
}

function shorten(name: string): string {
  const extension = extname(name);
  const keep = Buffer.byteLength(extension) < 32 ? extension : "";
  let stem = name.slice(0, name.length - keep.length);
  while (Buffer.byteLength(stem) + Buffer.byteLength(keep) > MAX_NAME_BYTES) stem = Array.from(stem).slice(0, -1).join("");
  return stem + keep;
}

/**
 * ALLOWED_UPLOAD_TYPES: entries with a "/" are MIME types ("image/png", or "image/*"), the others are file
 * extensions (".csv" or "csv"); a MIME type is the one the name's extension implies. Empty: every type is allowed. Uploads are data for the agent, written without
 * the executable bit, so nothing uploaded runs unless the agent (which can write executables anyway) runs it.
 */
export function uploadTypeAllowed(allowed: string[], name: string): boolean {
  if (allowed.length === 0) return true;
  const extension = extname(name).toLowerCase();
  // The type follows from the name, never from the Content-Type the client declared (that is its say-so).
  const mime = (Bun.file(name).type.split(";")[0] ?? "").trim().toLowerCase();
  return allowed.some((entry) => {
    const rule = entry.trim().toLowerCase();
    if (rule.includes("/")) return rule.endsWith("/*") ? mime.startsWith(rule.slice(0, -1)) : mime === rule;
    return extension !== "" && extension === (rule.startsWith(".") ? rule : `.${rule}`);
  });
}
