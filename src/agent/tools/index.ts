import type { Tool as ApiTool } from "@anthropic-ai/sdk/resources/messages";
import { BrowserTool } from "./browser.ts";
import { ExecuteBashTool } from "./execute-bash.ts";
import { FinishTool } from "./finish.ts";
import { StrReplaceEditorTool } from "./str-replace-editor.ts";
import { ThinkTool } from "./think.ts";
import { Tool } from "./tool.ts";

export { Tool } from "./tool.ts";

/** CodeActAgent's tools, in the order the model sees them. */
export const CODEACT_TOOLS: Tool.Info[] = [ExecuteBashTool, StrReplaceEditorTool, BrowserTool, ThinkTool, FinishTool] as Tool.Info[];

const byId = new Map(CODEACT_TOOLS.map((tool) => [tool.id, tool]));

export function findTool(id: string): Tool.Info | undefined {
  return byId.get(id);
}

let apiTools: ApiTool[] | undefined;

/** The tools as the Messages API wants them. Computed at the first agent step, not at every start (zod's JSON schemas cost ~3 ms), then kept: they never change. */
export function codeactApiTools(): ApiTool[] {
  return (apiTools ??= CODEACT_TOOLS.map(Tool.toApi));
}
