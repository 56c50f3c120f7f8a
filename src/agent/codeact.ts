import type { TextBlock, ToolUseBlock } from "@anthropic-ai/sdk/resources/messages";
import type { ObservationEvent } from "../events/schema.ts";
import type { WorkspaceRoots } from "../runtime/paths.ts";
import { type ChatMessage, condense, estimateTokens } from "./condenser.ts";
import type { EventLog } from "./event-log.ts";
import { buildMessages } from "./history.ts";
import type { CompleteOptions, Llm } from "./llm.ts";
import { LlmError } from "./llm.ts";
import type { ReplyUsage } from "./pricing.ts";
import { systemPrompt } from "./prompt.ts";
import { loadRepoInstructions } from "./repo-instructions.ts";
import { codeactApiTools, findTool, type Tool } from "./tools/index.ts";

/** One reply of the model: its text (to show the user) and its tool calls (to run, in order). */
export type AgentReply = {
  text: string;
  toolCalls: ToolUseBlock[];
  usage: ReplyUsage;
};

/** How a tool call ended. */
export type ToolCallOutcome =
  | { kind: "answered"; answer: ObservationEvent }
  | { kind: "invalid"; error: string };

/** What running a tool call needs from the controller. */
export type ToolCallContext = Tool.Context & {
  /** Records a tool call that could not become an action, so the model sees why (and the history keeps it). */
  refuse(call: ToolUseBlock, error: string): Promise<void>;
};

/** When the API says the prompt is too long: condense to this share of the last budget and try again. */
const SHRINK_ON_OVERFLOW = 0.5;
const MAX_SHRINKS = 3;
/** model, max_tokens, stream and the JSON around them. */
const REQUEST_OVERHEAD_TOKENS = 50;

/**
 * OpenHands' CodeActAgent on the Messages API: it sees the conversation rebuilt from the event log, acts
 * through its tools, and talks to the user in plain text.
 */
export class CodeActAgent {
  private prompt?: Promise<{ system: string; fixedTokens: number }>;

  constructor(
    private readonly llm: Llm,
    private readonly workspace: WorkspaceRoots,
    /** The input token budget (LLM_CONTEXT_TOKENS). */
    private readonly contextTokens: number,
  ) {}

  /** Built at the first step (the repository's instruction files are read then), the same ever after. */
  private systemPrompt(): Promise<{ system: string; fixedTokens: number }> {
    this.prompt ??= loadRepoInstructions(this.workspace).then((instructions) => {
      const system = systemPrompt(this.workspace.sandbox, instructions);
      // As sent: the JSON of the system prompt and tool schemas, plus the request's other fields.
      return { system, fixedTokens: estimateTokens(JSON.stringify(system)) + estimateTokens(codeactApiTools()) + REQUEST_OVERHEAD_TOKENS };
    });
    return this.prompt;
  }

  /** Asks the model for its next reply to the conversation as the log holds it now. */
  async step(log: EventLog, options: CompleteOptions): Promise<AgentReply> {
    const { system, fixedTokens } = await this.systemPrompt();
    const full = withTrailingUserTurn(buildMessages(log));
    let budget = Math.max(1000, this.contextTokens - fixedTokens);
    for (let shrinks = 0; ; shrinks++) {
      const fitted = condense(full, budget);
      try {
        const reply = await this.llm.complete({ system, messages: fitted.messages, tools: codeactApiTools() }, options);
        const text = reply.content
          .filter((b): b is TextBlock => b.type === "text")
          .map((b) => b.text)
          .join("\n")
          .trim();
        const toolCalls = reply.content.filter((b): b is ToolUseBlock => b.type === "tool_use");
        return { text, toolCalls, usage: reply.usage };
      } catch (error) {
        if (!(error instanceof LlmError) || !error.contextTooLong || shrinks >= MAX_SHRINKS) throw error;
        budget = Math.floor(Math.min(budget, estimateTokens(fitted.messages)) * SHRINK_ON_OVERFLOW);
      }
    }
  }

  /** Validates a tool call with its tool's zod schema and runs it; invalid input goes back to the model. */
  async runToolCall(call: ToolUseBlock, ctx: ToolCallContext): Promise<ToolCallOutcome> {
    const tool = findTool(call.name);
    if (!tool) {
      const error = `Unknown tool "${call.name}". The tools are: ${codeactApiTools().map((t) => t.name).join(", ")}.`;
      await ctx.refuse(call, error);
      return { kind: "invalid", error };
    }
    const parsed = tool.parameters.safeParse(call.input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
      const error = `Invalid input for ${call.name}: ${problems}. Fix the arguments and call it again.`;
      await ctx.refuse(call, error);
      return { kind: "invalid", error };
    }
    return { kind: "answered", answer: await tool.execute(parsed.data, ctx) };
  }
}

/** The model answers the last user turn; after a restart or an interrupted reply the history may end with its own turn. */
function withTrailingUserTurn(messages: ChatMessage[]): ChatMessage[] {
  if (messages.at(-1)?.role === "user") return messages;
  return [...messages, { role: "user", content: "Please continue." }];
}
