import { useRef, useState } from "react";
import { zipUrl } from "../api.ts";
import type { UploadStatus } from "../useWorkspace.ts";
import type { FileEntry } from "../wire.ts";
import { DownloadLink } from "./DownloadLink.tsx";
import { FileTree } from "./FileTree.tsx";
import { FileViewer } from "./FileViewer.tsx";
import { Icon } from "./Icon.tsx";

type Props = {
  conversationId: string;
  files: FileEntry[];
  error: string | null;
  upload: UploadStatus;
  version: number;
  uploadAll(files: File[]): void;
  refresh(): void;
  onClose(): void;
};

/** The workspace: tree, viewer, upload, and download of a file or of everything as a zip. */
export function FilePanel({ conversationId, files, error, upload, version, uploadAll, refresh, onClose }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState<string | null>(null);

  return (
    <aside className="file-panel" data-testid="file-panel">
      <div className="panel-head">
        <span className="panel-title">Workspace</span>
        <div className="panel-actions">
          <button type="button" className="btn btn-ghost btn-icon" onClick={refresh} title="Refresh" data-testid="files-refresh">
            <Icon name="refresh" size={14} />
          </button>
          <button type="button" className="btn btn-ghost btn-icon" onClick={() => input.current?.click()} title="Upload files" data-testid="upload-button">
            <Icon name="upload" size={14} />
          </button>
          <DownloadLink url={zipUrl(conversationId)} filename={`${conversationId}.zip`} title="Download the workspace as a zip" testId="download-zip" onError={setDownloadError}>
            <Icon name="download" size={14} />
          </DownloadLink>
          <button type="button" className="btn btn-ghost btn-icon panel-close" onClick={onClose} title="Hide files" data-testid="files-close">
            <Icon name="close" size={14} />
          </button>
        </div>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="upload-input"
          onChange={(e) => {
            uploadAll([...(e.target.files ?? [])]);
            e.target.value = "";
          }}
        />
      </div>
      <div className="drop-hint">Drop files anywhere in the conversation to upload them.</div>
      {upload.state === "uploading" && <div className="panel-status" data-testid="upload-status">Uploading {upload.count} file{upload.count === 1 ? "" : "s"}…</div>}
      {upload.state === "done" && (
        <div className={`panel-status ${upload.ok ? "ok" : "bad"}`} data-testid="upload-status">
          {upload.text}
        </div>
      )}
      {(error || downloadError) && <div className="panel-status bad">{error ?? downloadError}</div>}
      <div className="file-tree-wrap">
        <FileTree files={files} selected={selected} onSelect={setSelected} />
      </div>
      {selected && <FileViewer conversationId={conversationId} path={selected} version={version} onClose={() => setSelected(null)} onDownloadError={setDownloadError} />}
    </aside>
  );
}
