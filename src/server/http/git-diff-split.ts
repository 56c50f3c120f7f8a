/**
 * Splits one `git diff --patch-with-raw -z` over many files into a diff per file. The raw records come first
 * (NUL-separated, paths unquoted) and name each file pair; then the patch, one `diff --git` block per pair (two for
 * a change between file and symlink). A block is matched to its pair by its header line, which git builds from the
 * pair's paths and the prefixes it was given (passed explicitly, so they are known), quoting names with control
 * characters, quotes or backslashes: names with spaces, tabs or newlines split reliably, in any order.
 */

export type DiffPrefixes = { src: string; dst: string };

/** A file pair of the diff and its blocks, as git wrote them. */
type FilePair = { paths: string[]; blocks: Buffer[]; complete: boolean };

/** A file's diff: its blocks' bytes, cut at `maxBytes`; truncated when cut or when the output was cut before it. */
export type FileDiff = { diff: string; diff_truncated: boolean };

const COLON = 0x3a;
const NEWLINE = 0x0a;
const BLOCK_START = "diff --git ";
const NEXT_BLOCK = Buffer.from(`\n${BLOCK_START}`);

/** git's quote_c_style with core.quotePath=false: control characters, `"`, `\` and DEL are escaped, nothing else. */
const NEEDS_QUOTES = /[\u0000-\u001f"\\\u007f]/;
const ESCAPES: Record<string, string> = { "\u0007": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r", '"': '"', "\\": "\\" };

function quoted(prefix: string, path: string): string {
  const name = prefix + path;
  if (!NEEDS_QUOTES.test(name)) return name;
  const escaped = name.replace(new RegExp(NEEDS_QUOTES.source, "g"), (c) => `\\${ESCAPES[c] ?? c.charCodeAt(0).toString(8).padStart(3, "0")}`);
  return `"${escaped}"`;
}

function header(prefixes: DiffPrefixes, paths: string[]): string {
  const [src, dst = src] = paths as [string, string?];
  return `${BLOCK_START}${quoted(prefixes.src, src)} ${quoted(prefixes.dst, dst)}`;
}

/** The raw records (":modes oids status\0path\0", a second path after a rename or copy) and where the patch starts. */
function readRaw(output: Buffer): { pairs: FilePair[]; patchStart: number } {
  const pairs: FilePair[] = [];
  let pos = 0;
  while (output[pos] === COLON) {
    const metaEnd = output.indexOf(0, pos);
    if (metaEnd < 0) break;
    const status = output.toString("latin1", pos, metaEnd).split(" ").pop() ?? "";
    const paths: string[] = [];
    let next = metaEnd + 1;
    for (let i = status.startsWith("R") || status.startsWith("C") ? 2 : 1; i > 0; i--) {
      const end = output.indexOf(0, next);
      if (end < 0) return { pairs, patchStart: output.length };
      paths.push(output.toString("utf8", next, end));
      next = end + 1;
    }
    pairs.push({ paths, blocks: [], complete: true });
    pos = next;
  }
  // A NUL separates the raw records from the patch.
  return { pairs, patchStart: output[pos] === 0 ? pos + 1 : pos };
}

/** Where each `diff --git` block starts: at the start of the patch or of a line (no patch line starts with "d"). */
function blockStarts(output: Buffer, from: number): number[] {
  const starts: number[] = [];
  if (output.toString("latin1", from, from + BLOCK_START.length) === BLOCK_START) starts.push(from);
  for (let at = output.indexOf(NEXT_BLOCK, from); at >= 0; at = output.indexOf(NEXT_BLOCK, at + 1)) starts.push(at + 1);
  return starts;
}

/** The file pairs of the output with their blocks; with `cut`, the last block and pairs without one are incomplete. */
function splitPairs(output: Buffer, prefixes: DiffPrefixes, cut: boolean): FilePair[] {
  const { pairs, patchStart } = readRaw(output);
  const byHeader = new Map<string, FilePair>();
  for (const pair of pairs) {
    const line = header(prefixes, pair.paths);
    if (!byHeader.has(line)) byHeader.set(line, pair);
  }
  const starts = blockStarts(output, patchStart);
  let last: FilePair | undefined;
  for (const [i, start] of starts.entries()) {
    const end = starts[i + 1] ?? output.length;
    const lineEnd = output.indexOf(NEWLINE, start);
    const pair = byHeader.get(output.toString("utf8", start, lineEnd < 0 || lineEnd > end ? end : lineEnd));
    // Text git wrote that names no listed pair (none is expected) is left out rather than given to another file.
    if (!pair) continue;
    pair.blocks.push(output.subarray(start, end));
    last = pair;
  }
  if (cut) {
    if (last) last.complete = false;
    for (const pair of pairs) if (pair.blocks.length === 0) pair.complete = false;
  }
  return pairs;
}

/** A path and the folders above it: a pathspec names a file or any file below it. */
function* selfAndParents(path: string): Generator<string> {
  for (let at = path.length; at > 0; at = path.lastIndexOf("/", at - 1)) yield path.slice(0, at);
}

/**
 * The diff of each file, given by its pathspecs (its path, and its old path after a rename) as in `git diff -- <pathspecs>`:
 * the blocks of every pair with a path at or below one of them, in git's order, cut at `maxBytes` like the output of a
 * `git diff` of that file alone read up to `maxBytes`. `cut` says the output itself was cut (at its read limit).
 */
export function splitDiff(output: Buffer, cut: boolean, prefixes: DiffPrefixes, files: string[][], maxBytes: number): FileDiff[] {
  const owners = new Map<string, number[]>();
  for (const [index, pathspecs] of files.entries()) for (const pathspec of pathspecs) owners.set(pathspec, [...(owners.get(pathspec) ?? []), index]);
  const found = files.map(() => ({ blocks: [] as Buffer[], pairs: [] as FilePair[] }));
  for (const pair of splitPairs(output, prefixes, cut)) {
    const indexes = new Set(pair.paths.flatMap((path) => [...selfAndParents(path)].flatMap((pathspec) => owners.get(pathspec) ?? [])));
    for (const index of indexes) {
      found[index]?.blocks.push(...pair.blocks);
      found[index]?.pairs.push(pair);
    }
  }
  return found.map(({ blocks, pairs }) => {
    const size = blocks.reduce((total, block) => total + block.length, 0);
    // Past a cut, a file is whole only when it has pairs and each came whole.
    const lost = cut && (pairs.length === 0 || pairs.some((pair) => !pair.complete));
    // Cut by bytes and then decoded, as `GitRepo.run` cuts one file's output; copied, so the output can be freed.
    return { diff: Buffer.concat(blocks, Math.min(size, maxBytes)).toString("utf8"), diff_truncated: size > maxBytes || lost };
  });
}
