import { useRef, useState, type MouseEvent } from "react";
import { downloadZip, zipUrl } from "../api.ts";
import { getApiKey } from "../auth.ts";
import { errorText } from "../format.ts";
import type { UploadStatus } from "../useWorkspace.ts";
import type { FileEntry } from "../wire.ts";
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

/** The workspace: tree, viewer, upload and download as zip. */
export function FilePanel({ conversationId, files, error, upload, version, uploadAll, refresh, onClose }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [zipError, setZipError] = useState<string | null>(null);

  // A link cannot carry the key header: with a key, fetch the zip and hand the browser a blob.
  const onZip = async (event: MouseEvent<HTMLAnchorElement>) => {
    if (!getApiKey()) return;
    event.preventDefault();
    try {
      const url = URL.createObjectURL(await downloadZip(conversationId));
      const link = document.createElement("a");
      link.href = url;
      link.download = `${conversationId}.zip`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setZipError(null);
    } catch (e) {
      setZipError(errorText(e));
    }
  };

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
          <a className="btn btn-ghost btn-icon" href={zipUrl(conversationId)} download={`${conversationId}.zip`} onClick={onZip} title="Download the workspace as a zip" data-testid="download-zip">
            <Icon name="download" size={14} />
          </a>
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
      {(error || zipError) && <div className="panel-status bad">{error ?? zipError}</div>}
      <div className="file-tree-wrap">
        <FileTree files={files} selected={selected} onSelect={setSelected} />
      </div>
      {selected && <FileViewer conversationId={conversationId} path={selected} version={version} onClose={() => setSelected(null)} />}
    </aside>
  );
}
