/** Waits for a line of a process's output that matches, and returns it. */
export async function lineOf(stream: ReadableStream<Uint8Array>, match: RegExp): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    const line = text.split("\n").find((l) => match.test(l));
    if (line) return line;
  }
  throw new Error(`no line matching ${match}: ${text}`);
}

/** The URL a server process prints on its "listening on" line. */
export async function listeningUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  return (await lineOf(stdout, /listening on /)).split("listening on ")[1]!.trim();
}
