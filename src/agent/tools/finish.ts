import { z } from "zod";
import { finishArgsSchema } from "../../events/schema.ts";
import { Tool } from "./tool.ts";

export const FinishTool = Tool.define("finish", {
  description: "Finish the task when it is done (or cannot be done): give the user a short summary of what was done and anything left.",
  parameters: z.object({
    message: finishArgsSchema.shape.message.describe("A short summary for the user."),
  }),
  execute: (input, ctx) => ctx.act("finish", input),
});
