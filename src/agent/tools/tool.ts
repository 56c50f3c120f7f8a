import { z } from "zod";
import type { Tool as ApiTool } from "@anthropic-ai/sdk/resources/messages";
import type { ActionName, ObservationEvent } from "../../events/schema.ts";

/** Agent tools in opencode's style: defined once, with a zod schema that is both the API's JSON schema and the validator. */
export namespace Tool {
  export type Context = {
    /** Aborted when the agent is stopped. */
    signal: AbortSignal;
    /** Appends this tool call's action (source agent) and resolves with the event that answers it. */
    act(action: ActionName, args: Record<string, unknown>): Promise<ObservationEvent>;
  };

  export type Info<Parameters extends z.ZodObject = z.ZodObject> = {
    id: string;
    description: string;
    parameters: Parameters;
    execute(args: z.infer<Parameters>, ctx: Context): Promise<ObservationEvent>;
  };

  export function define<Parameters extends z.ZodObject>(id: string, init: Omit<Info<Parameters>, "id">): Info<Parameters> {
    return { id, ...init };
  }

  /** The tool as the Messages API wants it: name, description and a JSON schema of its input. */
  export function toApi(tool: Info): ApiTool {
    const { $schema: _drop, ...schema } = z.toJSONSchema(tool.parameters) as Record<string, unknown>;
    return { name: tool.id, description: tool.description, input_schema: { ...schema, type: "object" } };
  }
}
