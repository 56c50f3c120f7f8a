import { useCallback, useEffect, useState } from "react";
import { listFiles, uploadFiles } from "./api.ts";
import { errorText } from "./format.ts";
import type { FileEntry } from "./wire.ts";

export type UploadStatus = { state: "idle" } | { state: "uploading"; count: number } | { state: "done"; text: string; ok: boolean };

/** The workspace listing of a conversation, refreshed when `version` moves, and uploads into it. */
export function useWorkspace(conversationId: string, version: number) {
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [upload, setUpload] = useState<UploadStatus>({ state: "idle" });
  const [reloads, setReloads] = useState(0);

  const refresh = useCallback(() => setReloads((n) => n + 1), []);

  useEffect(() => {
    let cancelled = false;
    listFiles(conversationId)
      .then((list) => {
        if (cancelled) return;
        setFiles(list);
        setError(null);
      })
      .catch((e: unknown) => !cancelled && setError(errorText(e)));
    return () => {
      cancelled = true;
    };
  }, [conversationId, version, reloads]);

  const uploadAll = useCallback(
    async (chosen: File[]) => {
      if (chosen.length === 0) return;
      setUpload({ state: "uploading", count: chosen.length });
      try {
        const result = await uploadFiles(conversationId, chosen);
        const skipped = result.skipped_files.map((s) => `${s.name} (${s.reason.replace(/_/g, " ")})`);
        const parts = [result.uploaded_files.length ? `Uploaded ${result.uploaded_files.join(", ")}` : "", skipped.length ? `Skipped ${skipped.join(", ")}` : ""];
        setUpload({ state: "done", text: parts.filter(Boolean).join(". "), ok: skipped.length === 0 });
      } catch (e) {
        setUpload({ state: "done", text: `Upload failed: ${errorText(e)}`, ok: false });
      }
      refresh();
    },
    [conversationId, refresh],
  );

  return { files, error, upload, uploadAll, refresh };
}
