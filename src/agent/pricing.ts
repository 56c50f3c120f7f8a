import type { AgentUsage } from "./types.ts";

/** US dollars per million tokens. */
type Price = { input: number; output: number; cacheRead: number; cacheWrite: number };

const price = (input: number, output: number): Price => ({ input, output, cacheRead: input * 0.1, cacheWrite: input * 1.25 });

/**
 * List prices per model family (the public per-million-token rates). A model name is matched by the family
 * word it contains; an unknown family is priced as Sonnet so that a budget still bites.
 */
const FAMILY_PRICES: Array<[family: string, price: Price]> = [
  ["haiku", price(1, 5)],
  ["sonnet", price(3, 15)],
  ["opus", price(5, 25)],
  ["mythos", price(25, 125)],
  ["fable", price(5, 25)],
];
const FALLBACK = price(3, 15);

export function priceOf(model: string): Price {
  const name = model.toLowerCase();
  return FAMILY_PRICES.find(([family]) => name.includes(family))?.[1] ?? FALLBACK;
}

/** Token counts of one API reply, as the Messages API reports them. */
export type ReplyUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
};

export function costOf(model: string, usage: ReplyUsage): number {
  const p = priceOf(model);
  const dollars =
    usage.input_tokens * p.input +
    usage.output_tokens * p.output +
    (usage.cache_read_input_tokens ?? 0) * p.cacheRead +
    (usage.cache_creation_input_tokens ?? 0) * p.cacheWrite;
  return dollars / 1_000_000;
}

export function emptyUsage(): AgentUsage {
  return { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cost_usd: 0 };
}

/** The conversation's running total after one more reply. */
export function addUsage(total: AgentUsage, model: string, reply: ReplyUsage): AgentUsage {
  return {
    input_tokens: total.input_tokens + reply.input_tokens + (reply.cache_creation_input_tokens ?? 0),
    output_tokens: total.output_tokens + reply.output_tokens,
    cache_read_tokens: (total.cache_read_tokens ?? 0) + (reply.cache_read_input_tokens ?? 0),
    // Rounded to micro-dollars so that sums stay readable in events.
    cost_usd: Math.round((total.cost_usd + costOf(model, reply)) * 1e6) / 1e6,
  };
}
