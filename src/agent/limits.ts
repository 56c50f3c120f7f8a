import type { Config } from "../config.ts";

/**
 * MAX_ITERATIONS and MAX_BUDGET_USD, counted per task: a new user message (or an explicit resume) gives the
 * agent a fresh allowance from where it is.
 */
export class TaskLimits {
  private steps = 0;
  private stepLimit: number;
  private costAtStart: number;

  constructor(
    private readonly config: Pick<Config, "MAX_ITERATIONS" | "MAX_BUDGET_USD">,
    costSoFar: number,
  ) {
    this.stepLimit = config.MAX_ITERATIONS;
    this.costAtStart = costSoFar;
  }

  countStep(): void {
    this.steps++;
  }

  raise(costSoFar: number): void {
    this.stepLimit = this.steps + this.config.MAX_ITERATIONS;
    this.costAtStart = costSoFar;
  }

  /** Why the task must stop now, or null. */
  reached(costSoFar: number): string | null {
    const { MAX_ITERATIONS, MAX_BUDGET_USD } = this.config;
    if (this.steps >= this.stepLimit) {
      return `MAX_ITERATIONS reached: the agent took ${MAX_ITERATIONS} steps on this task without finishing; send a message to let it go on`;
    }
    const spent = costSoFar - this.costAtStart;
    if (MAX_BUDGET_USD !== undefined && spent >= MAX_BUDGET_USD) {
      return `MAX_BUDGET_USD reached: this task cost $${spent.toFixed(4)} of its $${MAX_BUDGET_USD} budget; send a message to let it go on`;
    }
    return null;
  }
}
