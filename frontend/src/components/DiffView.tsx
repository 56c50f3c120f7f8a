function lineClass(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return "diff-file";
  if (line.startsWith("@@")) return "diff-hunk";
  if (line.startsWith("+")) return "diff-add";
  if (line.startsWith("-")) return "diff-del";
  return "diff-ctx";
}

/** A unified diff with added and removed lines coloured. */
export function DiffView({ diff }: { diff: string }) {
  // createPatch's "Index:" and "=====" banner says nothing the ---/+++ lines do not.
  const lines = diff
    .replace(/\n$/, "")
    .split("\n")
    .filter((line) => !line.startsWith("Index: ") && !/^=+$/.test(line));
  return (
    <pre className="diff" data-testid="diff">
      {lines.map((line, i) => (
        <span key={i} className={`diff-line ${lineClass(line)}`}>
          {line || " "}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}
