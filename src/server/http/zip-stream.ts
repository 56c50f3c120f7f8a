import type { Zip, ZipDeflate } from "fflate";
import { walkWorkspace, type WorkspaceEntry } from "./workspace-walk.ts";

type OpenFile = { entry: ZipDeflate; reader: ReadableStreamDefaultReader<Uint8Array> };

/**
 * The workspace as a zip, produced as the client reads it (pull-based: one file chunk per step, so memory
 * stays bounded whatever the workspace's size). Same selection as the listing: .gitignore honoured, .git and
 * node_modules skipped, symbolic links only when they stay inside.
 */
export function zipWorkspace(root: string): ReadableStream<Uint8Array> {
  const entries: AsyncIterator<WorkspaceEntry> = walkWorkspace(root)[Symbol.asyncIterator]();
  let ready: Uint8Array[] = [];
  let finished = false;
  let failure: Error | undefined;
  let open: OpenFile | undefined;
  // fflate is loaded by the first download rather than at every start (its tables cost a few ms to build).
  let fflate: typeof import("fflate");
  let zip: Zip | undefined;

  const nextEntry = async () => {
    const next = await entries.next();
    if (next.done) return zip?.end();
    const entry = next.value;
    if (entry.type === "dir") {
      // Folders get their own entry so that empty ones survive the round trip.
      const folder = new fflate.ZipPassThrough(`${entry.path}/`);
      zip?.add(folder);
      folder.push(new Uint8Array(0), true);
      return;
    }
    const file = new fflate.ZipDeflate(entry.path, { level: 6 });
    zip?.add(file);
    open = { entry: file, reader: Bun.file(entry.hostPath).stream().getReader() };
  };

  const nextChunk = async (current: OpenFile) => {
    const chunk = await current.reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (chunk.done) {
      // A file that vanished or shrank mid-read ends where its data ended (its CRC matches what was written).
      current.entry.push(new Uint8Array(0), true);
      open = undefined;
      return;
    }
    current.entry.push(chunk.value);
  };

  return new ReadableStream<Uint8Array>({
    async start() {
      fflate = await import("fflate");
      zip = new fflate.Zip((error, chunk, final) => {
        if (error) failure = error;
        else ready.push(chunk);
        if (final) finished = true;
      });
    },
    async pull(controller) {
      while (ready.length === 0 && !finished && !failure) await (open ? nextChunk(open) : nextEntry());
      if (failure) return controller.error(failure);
      for (const chunk of ready) controller.enqueue(chunk);
      ready = [];
      if (finished) controller.close();
    },
    async cancel() {
      await open?.reader.cancel().catch(() => {});
      await entries.return?.();
      zip?.terminate();
    },
  });
}
