import { useEffect, useState } from "react";
import { ApiError, fileDownloadUrl, readFile } from "../api.ts";
import { errorText } from "../format.ts";
import { DownloadLink } from "./DownloadLink.tsx";
import { Icon } from "./Icon.tsx";

type Content = { state: "loading" } | { state: "text"; text: string } | { state: "failed"; message: string };

type Props = { conversationId: string; path: string; version: number; onClose(): void; onDownloadError(message: string | null): void };

/** One workspace file's text, with its download; re-read whenever the workspace may have changed. */
export function FileViewer({ conversationId, path, version, onClose, onDownloadError }: Props) {
  const [content, setContent] = useState<Content>({ state: "loading" });

  useEffect(() => {
    let cancelled = false;
    readFile(conversationId, path)
      .then((text) => !cancelled && setContent({ state: "text", text }))
      .catch((e: unknown) => {
        if (cancelled) return;
        const binary = e instanceof ApiError && e.status === 415;
        setContent({ state: "failed", message: binary ? "This is a binary file; it is not shown. Download it with the button above." : errorText(e) });
      });
    return () => {
      cancelled = true;
    };
  }, [conversationId, path, version]);

  return (
    <div className="file-viewer" data-testid="file-viewer" data-path={path}>
      <div className="file-viewer-head">
        <code className="file-viewer-path">{path}</code>
        <DownloadLink url={fileDownloadUrl(conversationId, path)} filename={path.split("/").pop() ?? path} title="Download this file" testId="file-download" onError={onDownloadError}>
          <Icon name="download" size={14} />
        </DownloadLink>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} title="Close the file" data-testid="file-viewer-close">
          <Icon name="close" size={14} />
        </button>
      </div>
      {content.state === "loading" && <div className="muted pad">Loading…</div>}
      {content.state === "failed" && <div className="muted pad">{content.message}</div>}
      {content.state === "text" && <pre className="file-viewer-text" data-testid="file-content">{content.text}</pre>}
    </div>
  );
}
