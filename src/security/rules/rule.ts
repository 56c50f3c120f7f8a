import type { Invocation, ShellFacts } from "../invocations.ts";
import type { PathContext } from "../paths.ts";
import type { Report } from "../types.ts";

export interface RuleContext {
  /** Absolute workspace roots (`/workspace` and the conversation's real workspace when known). */
  workspaceRoots: readonly string[];
}

/** Judges one program of a shell command. */
export type InvocationRule = (inv: Invocation, ctx: RuleContext, report: Report) => void;

/** Judges a whole shell command (patterns that span several programs). */
export type FactsRule = (facts: ShellFacts, ctx: RuleContext, report: Report) => void;

export function pathContext(inv: Invocation, ctx: RuleContext): PathContext {
  return { workspaceRoots: ctx.workspaceRoots, cwd: inv.cwd };
}
