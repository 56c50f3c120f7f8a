import type { AssistantMessageParam, ContentBlockParam, UserMessageParam } from "@anthropic-ai/sdk/resources/messages";

/** A turn of the conversation (the system prompt travels apart). */
export type ChatMessage = UserMessageParam | AssistantMessageParam;

/** A rough token count: about four characters a token for English and code. */
export function estimateTokens(value: unknown): number {
  return Math.ceil((typeof value === "string" ? value.length : JSON.stringify(value).length) / 4);
}

export type Condensed = { messages: ChatMessage[]; elidedResults: number; droppedMessages: number };

/** Messages at the end that are never condensed: the step in progress and the few before it. */
const KEEP_RECENT = 6;
/** An old tool result or tool input longer than this is cut to its head and tail. */
const LONG_TEXT = 600;

/**
 * Fits a history into a token budget instead of failing: first the results and inputs of older tool calls
 * are cut to their head and tail, then whole older steps are dropped from the middle (the task, the first
 * message, always stays, with a note of what was removed), then the recent results are cut too, and last
 * the newest results are cut to what room is left.
 */
export function condense(messages: ChatMessage[], budgetTokens: number): Condensed {
  let result: Condensed = { messages, elidedResults: 0, droppedMessages: 0 };
  if (estimateTokens(messages) <= budgetTokens) return result;

  result = elideOld(result, messages.length - KEEP_RECENT);
  if (estimateTokens(result.messages) <= budgetTokens) return result;

  result = dropMiddle(result, budgetTokens);
  if (estimateTokens(result.messages) <= budgetTokens) return result;

  result = elideOld(result, result.messages.length - 1);
  if (estimateTokens(result.messages) <= budgetTokens) return result;

  return fitNewest(result, budgetTokens);
}

/** Cuts the newest message's tool results (head and tail kept) to share the room the rest leaves. */
function fitNewest(current: Condensed, budgetTokens: number): Condensed {
  const newest = current.messages.at(-1);
  if (!newest || typeof newest.content === "string") return current;
  const results = newest.content.filter((b) => b.type === "tool_result" && typeof b.content === "string").length;
  if (results === 0) return current;
  const others = estimateTokens(current.messages.slice(0, -1)) + estimateTokens(newest.content.filter((b) => b.type !== "tool_result"));
  // JSON escaping makes output longer than its characters (a newline is two): keep a margin.
  const roomChars = Math.max(400, Math.floor((((budgetTokens - others) * 4) / results) * 0.8));
  const content = newest.content.map((block) => {
    if (block.type !== "tool_result" || typeof block.content !== "string" || block.content.length <= roomChars) return block;
    return { ...block, content: shortenTo(block.content, roomChars) };
  });
  return { ...current, messages: [...current.messages.slice(0, -1), { ...newest, content } as ChatMessage], elidedResults: current.elidedResults + results };
}

function elideOld(current: Condensed, before: number): Condensed {
  let elided = 0;
  const messages = current.messages.map((message, index) => {
    if (index === 0 || index >= before || typeof message.content === "string") return message;
    const content = message.content.map((block) => {
      const cut = elideBlock(block);
      if (cut !== block) elided++;
      return cut;
    });
    return { ...message, content } as ChatMessage;
  });
  return { ...current, messages, elidedResults: current.elidedResults + elided };
}

function elideBlock(block: ContentBlockParam): ContentBlockParam {
  if (block.type === "tool_result" && typeof block.content === "string" && block.content.length > LONG_TEXT) {
    return { ...block, content: shorten(block.content) };
  }
  if (block.type === "tool_use" && typeof block.input === "object" && block.input !== null) {
    const input = Object.fromEntries(Object.entries(block.input).map(([key, value]) => [key, typeof value === "string" && value.length > LONG_TEXT ? shorten(value) : value]));
    return JSON.stringify(input) === JSON.stringify(block.input) ? block : { ...block, input };
  }
  return block;
}

function shorten(text: string): string {
  return shortenTo(text, 450);
}

/** Keeps two thirds of `keep` from the head and one third from the tail. */
function shortenTo(text: string, keep: number): string {
  const head = Math.ceil((keep * 2) / 3);
  const tail = keep - head;
  return `${text.slice(0, head)}\n[... ${text.length - keep} characters condensed to save context ...]\n${text.slice(-tail)}`;
}

/**
 * Drops assistant/user pairs right after the first message. Messages alternate (index 1 is the assistant),
 * so removing pairs keeps the alternation, and a tool result never outlives its tool call.
 */
function dropMiddle(current: Condensed, budgetTokens: number): Condensed {
  const [first, ...rest] = current.messages;
  if (!first) return current;
  let start = 0;
  const total = estimateTokens(current.messages);
  let removedTokens = 0;
  while (rest.length - start - 2 >= KEEP_RECENT && total - removedTokens > budgetTokens) {
    removedTokens += estimateTokens(rest[start]) + estimateTokens(rest[start + 1]);
    start += 2;
  }
  if (start === 0) return current;
  const removed = rest.slice(0, start);
  const userWords = removed
    .filter((m) => m.role === "user" && typeof m.content !== "string")
    .flatMap((m) => (m.content as ContentBlockParam[]).filter((b) => b.type === "text").map((b) => (b.type === "text" ? b.text.slice(0, 500) : "")));
  const note = `[Context condensed: ${start} earlier messages (older steps of this task) were removed to fit the context window; their effects on the workspace remain.${
    userWords.length ? ` The user said in that part: ${userWords.map((w) => JSON.stringify(w)).join(" / ")}` : ""
  }]`;
  const firstContent: ContentBlockParam[] = typeof first.content === "string" ? [{ type: "text", text: first.content }] : [...first.content];
  firstContent.push({ type: "text", text: note });
  return { messages: [{ ...first, content: firstContent } as ChatMessage, ...rest.slice(start)], elidedResults: current.elidedResults, droppedMessages: current.droppedMessages + start };
}
