import { z } from "zod";
import { browseArgsSchema } from "../../events/schema.ts";
import { Tool } from "./tool.ts";

export const BrowserTool = Tool.define("browser", {
  description: "Fetch a web page (HTTP GET, redirects followed) and get its text back (truncated when large). Use it for documentation or for a server you started in the workspace.",
  parameters: z.object({
    url: browseArgsSchema.shape.url.describe("The absolute URL to fetch, e.g. http://127.0.0.1:8000/."),
  }),
  execute: (input, ctx) => ctx.act("browse", input),
});
