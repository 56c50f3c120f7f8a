import { z } from "zod";
import { thinkArgsSchema } from "../../events/schema.ts";
import { Tool } from "./tool.ts";

export const ThinkTool = Tool.define("think", {
  description: "Think out loud: plan, weigh options, or reason about a bug. It changes nothing and gets nothing back; use it when a step needs reflection.",
  parameters: z.object({
    thought: thinkArgsSchema.shape.thought.describe("The thought to record."),
  }),
  execute: (input, ctx) => ctx.act("think", input),
});
