import type { ReactNode } from "react";

/** Inline `code` spans inside a paragraph. */
function inline(text: string, key: string): ReactNode[] {
  return text.split(/(`[^`\n]+`)/g).map((part, i) =>
    part.startsWith("`") && part.endsWith("`") && part.length > 2 ? <code key={`${key}-${i}`}>{part.slice(1, -1)}</code> : part,
  );
}

/** Message text with the two bits of markdown agents use most: ``` fences and `inline code`. */
export function MessageText({ text }: { text: string }) {
  const parts = text.split(/```[^\n]*\n?([\s\S]*?)```/g);
  return (
    <div className="message-text">
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <pre key={i} className="code-block">{part.replace(/\n$/, "")}</pre>
        ) : (
          part && <p key={i}>{inline(part.replace(/^\n+|\n+$/g, ""), String(i))}</p>
        ),
      )}
    </div>
  );
}
