/** Where a command stands: waiting, held for confirmation, ended with a code, or stopped some other way. */
export type CommandStatus =
  | { kind: "pending" }
  | { kind: "awaiting_confirmation" }
  | { kind: "exit"; code: number }
  | { kind: "running" }
  | { kind: "timeout" }
  | { kind: "rejected" }
  | { kind: "error" };

type Props = { command: string; output: string; status: CommandStatus; by: "user" | "agent" | "environment" };

function StatusTag({ status }: { status: CommandStatus }) {
  const tag = (className: string, exit: string, text: string) => (
    <span className={`exit ${className}`} data-testid="exit-code" data-exit={exit}>
      {status.kind === "pending" && <span className="spinner" />}
      {text}
    </span>
  );
  switch (status.kind) {
    case "pending":
      return tag("exit-pending", "pending", "running");
    case "awaiting_confirmation":
      return tag("exit-warn", "awaiting_confirmation", "needs confirmation");
    case "exit":
      return tag(status.code === 0 ? "exit-ok" : "exit-bad", String(status.code), `exit ${status.code}`);
    case "running":
      return tag("exit-warn", "running", "still running");
    case "timeout":
      return tag("exit-bad", "timeout", "timed out");
    case "rejected":
      return tag("exit-warn", "rejected", "rejected");
    case "error":
      return tag("exit-bad", "error", "error");
  }
}

/** A command and its output, dark like a terminal. */
export function TerminalBlock({ command, output, status, by }: Props) {
  return (
    <div className="terminal" data-testid="terminal">
      <div className="terminal-head">
        <span className="terminal-prompt">$</span>
        <code className="terminal-command" data-testid="terminal-command">{command}</code>
        <span className="terminal-by">{by === "user" ? "you" : by}</span>
        <StatusTag status={status} />
      </div>
      {output !== "" && <pre className={`terminal-output ${status.kind === "error" ? "terminal-error" : ""}`} data-testid="command-output">{output}</pre>}
    </div>
  );
}
