import { useState, type KeyboardEvent } from "react";
import { Icon } from "./Icon.tsx";

const MAX_ROWS = 8;

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function ChatInput({ onSend, disabled, placeholder }: { onSend(text: string): void; disabled: boolean; placeholder: string }) {
  const [text, setText] = useState("");

  const sendNow = () => {
    if (!text.trim() || disabled) return;
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
    <div className="chat-input">
      <textarea
        data-testid="chat-input"
        value={text}
        rows={rows}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder={placeholder}
        aria-label="Message to the agent"
        title="Enter sends, Shift+Enter makes a new line"
      />
      <button type="button" className="btn btn-primary btn-icon" data-testid="chat-send" onClick={sendNow} disabled={disabled || !text.trim()} title="Send (Enter)">
        <Icon name="send" />
      </button>
    </div>
  );
}
