import type { ObservationEvent } from "../events/schema.ts";
import { truncateMiddle } from "../runtime/runtime.ts";

/** What goes back to the model as a tool_result. */
export type ToolResultText = { content: string; isError: boolean };

/** Observations are already capped by the sandbox; this only guards the model's context against a runaway one. */
const RESULT_CAP_CHARS = 40_000;

export const INTERRUPTED_RESULT: ToolResultText = {
  content: "No result: the action was interrupted before it finished (the agent was stopped or the server restarted). Check the current state before relying on it.",
  isError: true,
};

/** The tool_result text of the event that answered a tool call: its content plus a short summary of its extras. */
export function toolResultOf(answer: ObservationEvent | undefined): ToolResultText {
  if (!answer) return INTERRUPTED_RESULT;
  const x = answer.extras;
  const content = truncateMiddle(answer.content, RESULT_CAP_CHARS);
  switch (answer.observation) {
    case "run": {
      const notes = [`[exit code: ${String(x.exit_code ?? "?")}]`];
      if (x.timed_out === true) notes.push("[the command was killed at its time limit]");
      if (x.running === true) notes.push("[the command is still running: call execute_bash with is_input=true and an empty command to wait for more output, text to feed its stdin, or C-c to stop it]");
      if (typeof x.working_dir === "string") notes.push(`[working directory: ${x.working_dir}]`);
      return { content: `${content || "(no output)"}\n${notes.join("\n")}`, isError: false };
    }
    case "browse":
      return { content: `[HTTP ${String(x.status_code ?? "?")} ${String(x.url ?? "")}]\n${content}`, isError: false };
    case "think":
      return { content: "Your thought has been recorded.", isError: false };
    case "error":
      return { content: `ERROR: ${content}`, isError: true };
    case "user_rejected":
      return { content: `The user rejected this action and it was not run.${content ? ` ${content}` : ""}`, isError: true };
    case "agent_state_changed":
      return { content: x.agent_state === "finished" ? "The task is marked finished." : `The agent state is now ${String(x.agent_state)}.`, isError: false };
    default:
      return { content: content || "(empty)", isError: false };
  }
}
