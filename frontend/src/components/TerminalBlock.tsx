type Props = {
  command: string;
  /** null while the command has no answer yet. */
  output: string | null;
  exitCode: number | null;
  running: boolean;
  timedOut: boolean;
  by: "user" | "agent" | "environment";
};

function ExitStatus({ output, exitCode, running, timedOut }: Omit<Props, "command" | "by">) {
  if (output === null) return <span className="exit exit-pending" data-testid="exit-code" data-exit="pending"><span className="spinner" /> running</span>;
  if (timedOut) return <span className="exit exit-bad" data-testid="exit-code" data-exit="timeout">timed out</span>;
  if (running) return <span className="exit exit-warn" data-testid="exit-code" data-exit="running">still running</span>;
  const ok = exitCode === 0;
  return <span className={`exit ${ok ? "exit-ok" : "exit-bad"}`} data-testid="exit-code" data-exit={String(exitCode)}>exit {exitCode}</span>;
}

/** A command and its output, dark like a terminal. */
export function TerminalBlock({ command, output, exitCode, running, timedOut, by }: Props) {
  return (
    <div className="terminal" data-testid="terminal">
      <div className="terminal-head">
        <span className="terminal-prompt">$</span>
        <code className="terminal-command" data-testid="terminal-command">{command}</code>
        <span className="terminal-by">{by === "user" ? "you" : by}</span>
        <ExitStatus output={output} exitCode={exitCode} running={running} timedOut={timedOut} />
      </div>
      {output !== null && output !== "" && <pre className="terminal-output" data-testid="command-output">{output}</pre>}
    </div>
  );
}
