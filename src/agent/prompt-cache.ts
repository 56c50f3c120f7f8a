import type { MessageParam, TextBlockParam, Tool as ApiTool } from "@anthropic-ai/sdk/resources/messages";

/** The request body's cached parts, as the Messages API takes them. */
export type CachedParts = { system: TextBlockParam[]; messages: MessageParam[]; tools: ApiTool[] };

const EPHEMERAL = { type: "ephemeral" } as const;
/** Breakpoints on user turns, newest first: the newest is written, the one before is read back. */
const CACHED_USER_TURNS = 2;

/**
 * Anthropic prompt caching, as OpenHands does it: an agent resends its whole history every step, and a
 * cached prefix costs a tenth of fresh input. Three of the API's four breakpoints: the system prompt (the
 * tools come before it in the cache's order, so they are covered) and the last block of each of the last
 * two user turns. A prefix under the model's minimum (about 1,024 tokens) is simply not cached.
 * The caller's messages are not changed: the marked turns are copies.
 */
export function withPromptCache(system: string, messages: MessageParam[], tools: ApiTool[]): CachedParts {
  const marked = [...messages];
  let left = CACHED_USER_TURNS;
  for (let i = marked.length - 1; i >= 0 && left > 0; i--) {
    const message = marked[i] as MessageParam;
    if (message.role !== "user") continue;
    marked[i] = markLastBlock(message);
    left--;
  }
  return { system: [{ type: "text", text: system, cache_control: EPHEMERAL }], messages: marked, tools };
}

type UserTurn = Extract<MessageParam, { role: "user" }>;

function markLastBlock(message: UserTurn): UserTurn {
  if (typeof message.content === "string") return { ...message, content: [{ type: "text", text: message.content, cache_control: EPHEMERAL }] };
  const blocks = [...message.content];
  const last = blocks.at(-1);
  // Every block a user turn holds here (text, tool_result) takes cache_control.
  if (last && (last.type === "text" || last.type === "tool_result")) blocks[blocks.length - 1] = { ...last, cache_control: EPHEMERAL };
  return { ...message, content: blocks };
}
