import { useState, type KeyboardEvent } from "react";
import { MAX_FRAME_BYTES } from "../../../src/events/frame-limit.ts";
import { formatBytes } from "../format.ts";
import { Icon } from "./Icon.tsx";

const MAX_ROWS = 8;
/** Room for the rest of the frame around the text (`{"action": "message", "args": {"content": …}}`). */
const ENVELOPE_BYTES = 256;

/** The text's size inside a frame: JSON-escaped, in UTF-8 bytes. */
function frameBytes(text: string): number {
  return new TextEncoder().encode(JSON.stringify(text)).length + ENVELOPE_BYTES;
}

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function ChatInput({ onSend, disabled, placeholder }: { onSend(text: string): void; disabled: boolean; placeholder: string }) {
  const [text, setText] = useState("");
  const [tooLong, setTooLong] = useState<string | null>(null);

  const sendNow = () => {
    if (!text.trim() || disabled) return;
    // The server refuses a frame over MAX_FRAME_BYTES: say so here and keep the text, rather than lose it.
    const bytes = frameBytes(text);
    if (bytes > MAX_FRAME_BYTES) {
      setTooLong(`This message is ${formatBytes(bytes)}, more than the ${formatBytes(MAX_FRAME_BYTES)} a message can carry. Upload it as a file (drop it on the conversation) and ask the agent to read it.`);
      return;
    }
    setTooLong(null);
    onSend(text);
    setText("");
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // While an input method composes a character, Enter belongs to it.
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    sendNow();
  };

  const rows = Math.min(MAX_ROWS, text.split("\n").length);
  return (
    <>
      {tooLong && (
        <div className="banner banner-error" data-testid="chat-too-long">
          {tooLong}
        </div>
      )}
      <div className="chat-input">
        <textarea
          data-testid="chat-input"
          value={text}
          rows={rows}
          onChange={(e) => {
            setText(e.target.value);
            setTooLong(null);
          }}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
          aria-label="Message to the agent"
          title="Enter sends, Shift+Enter makes a new line"
        />
        <button type="button" className="btn btn-primary btn-icon" data-testid="chat-send" onClick={sendNow} disabled={disabled || !text.trim()} title="Send (Enter)">
          <Icon name="send" />
        </button>
      </div>
    </>
  );
}
