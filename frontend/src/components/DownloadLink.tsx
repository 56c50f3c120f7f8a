import type { MouseEvent, ReactNode } from "react";
import { fetchDownload } from "../api.ts";
import { getApiKey } from "../auth.ts";
import { errorText } from "../format.ts";

type Props = { url: string; filename: string; title: string; testId: string; onError(message: string | null): void; children: ReactNode };

/**
 * A download as a plain link. A link cannot carry the session key's header, so with a key the file is
 * fetched with it and handed to the browser as a blob.
 */
export function DownloadLink({ url, filename, title, testId, onError, children }: Props) {
  const onClick = async (event: MouseEvent<HTMLAnchorElement>) => {
    if (!getApiKey()) return;
    event.preventDefault();
    try {
      const blobUrl = URL.createObjectURL(await fetchDownload(url));
      const link = document.createElement("a");
      link.href = blobUrl;
      link.download = filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(blobUrl), 10_000);
      onError(null);
    } catch (e) {
      onError(errorText(e));
    }
  };
  return (
    <a className="btn btn-ghost btn-icon" href={url} download={filename} onClick={onClick} title={title} data-testid={testId}>
      {children}
    </a>
  );
}
