import { useState, type FormEvent, type KeyboardEvent } from "react";
import type { ClientAction } from "../wire.ts";
import { Icon } from "./Icon.tsx";

const HISTORY_LIMIT = 50;

/**
 * Runs a shell command in the conversation's sandbox directly (a `run` action); ↑/↓ walk the history.
 * While a command runs, what is typed goes to it as input, and Ctrl-C interrupts it.
 */
export function CommandBox({ send, disabled, running }: { send(action: ClientAction): void; disabled: boolean; running: boolean }) {
  const [command, setCommand] = useState("");
  const [history, setHistory] = useState<string[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!command.trim() || disabled) return;
    send({ action: "run", args: running ? { command, is_input: true } : { command } });
    setHistory((list) => [...list.filter((c) => c !== command), command].slice(-HISTORY_LIMIT));
    setCursor(null);
    setCommand("");
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    if (history.length === 0) return;
    event.preventDefault();
    const last = history.length - 1;
    const next = event.key === "ArrowUp" ? (cursor === null ? last : Math.max(0, cursor - 1)) : cursor === null || cursor >= last ? null : cursor + 1;
    setCursor(next);
    setCommand(next === null ? "" : history[next]!);
  };

  return (
    <form className="command-box" onSubmit={submit} data-testid="command-box">
      <span className="command-prompt" aria-hidden="true">
        <Icon name="terminal" size={14} />
      </span>
      <input
        className="command-input"
        data-testid="command-input"
        value={command}
        onChange={(e) => setCommand(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder={running ? "Input for the running command" : "Run a command in the workspace"}
        aria-label="Command"
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      {running && (
        <button
          type="button"
          className="btn btn-small btn-dark"
          data-testid="command-interrupt"
          disabled={disabled}
          title="Interrupt the running command (Ctrl-C)"
          onClick={() => send({ action: "run", args: { command: "C-c", is_input: true } })}
        >
          Ctrl-C
        </button>
      )}
      <button type="submit" className="btn btn-small btn-dark" data-testid="command-run" disabled={disabled || !command.trim()}>
        {running ? "Send" : "Run"}
      </button>
    </form>
  );
}
