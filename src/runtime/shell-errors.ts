/** What `run` throws when a request does not fit the shell's state, or the shell cannot start. */

/** Base of the errors `run` throws when the request does not fit the shell's state. */
export class ShellStateError extends Error {}

/** A new command arrived while an earlier one is still running (past its soft timeout). */
export class CommandStillRunningError extends ShellStateError {
  constructor(readonly command: string) {
    super(
      `ERROR: a command is still running, so ${JSON.stringify(command)} was not run. ` +
        "Send an empty command to wait for more output, send input with is_input true, " +
        "or send C-c with is_input true to stop it.",
    );
  }
}

/** Input (is_input) arrived while no command is running. */
export class NoCommandRunningError extends ShellStateError {
  constructor() {
    super("ERROR: no command is running, so there is nothing to send input to. Run it without is_input.");
  }
}

/** The shell could not be started (or restarted). */
export class ShellStartError extends Error {}
