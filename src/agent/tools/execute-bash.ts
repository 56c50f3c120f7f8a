import { z } from "zod";
import { runArgsSchema } from "../../events/schema.ts";
import { Tool } from "./tool.ts";

const args = runArgsSchema.shape;

export const ExecuteBashTool = Tool.define("execute_bash", {
  description: `Run a bash command in the conversation's persistent shell (the working directory and exported variables persist between calls).
* One command per call; chain with && or ; when needed. Long output is truncated in the middle.
* A command that prints nothing for a while is reported as still running (exit code -1): call again with is_input=true and an empty command to wait for more output, send text to its stdin with is_input=true, or stop it with command "C-c" and is_input=true.
* Run servers and other endless commands in the background (e.g. \`python3 app.py > server.log 2>&1 &\`).`,
  parameters: z.object({
    command: args.command.describe("The bash command to run. With is_input=true: text for the running command's stdin, or C-c / C-d / C-z."),
    is_input: args.is_input.describe("True to send the command to the command that is still running instead of starting a new one."),
    timeout: args.timeout.describe("Hard limit in seconds (at most 600); the command is killed then."),
  }),
  execute: (input, ctx) => ctx.act("run", input),
});
