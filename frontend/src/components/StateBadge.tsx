import type { AgentState } from "../wire.ts";

const LABELS: Record<AgentState, string> = {
  loading: "Loading",
  awaiting_user_input: "Ready",
  running: "Running",
  paused: "Paused",
  stopped: "Stopped",
  finished: "Finished",
  rejected: "Rejected",
  error: "Error",
  rate_limited: "Rate limited",
  awaiting_user_confirmation: "Needs confirmation",
};

const TONES: Record<AgentState, "busy" | "ok" | "warn" | "bad" | "idle"> = {
  loading: "busy",
  running: "busy",
  awaiting_user_input: "ok",
  finished: "ok",
  paused: "warn",
  rate_limited: "warn",
  awaiting_user_confirmation: "warn",
  error: "bad",
  rejected: "bad",
  stopped: "idle",
};

/** The state in words ("Needs confirmation"); `null` (never started) is "New". */
export function stateLabel(state: AgentState | null): string {
  return state ? LABELS[state] : "New";
}

/** The agent's state as a coloured pill; `null` (never started) shows as "New". */
export function StateBadge({ state, testId = "agent-state" }: { state: AgentState | null; testId?: string }) {
  const tone = state ? TONES[state] : "idle";
  return (
    <span className={`badge badge-${tone}`} data-testid={testId} data-state={state ?? "none"}>
      <span className="badge-dot" />
      {stateLabel(state)}
    </span>
  );
}
