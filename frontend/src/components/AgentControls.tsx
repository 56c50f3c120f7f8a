import type { AgentState, ClientAction } from "../wire.ts";
import { Icon } from "./Icon.tsx";

type Props = { state: AgentState | null; send(action: ClientAction): void; disabled: boolean };

const PAUSABLE: ReadonlySet<AgentState> = new Set(["running", "loading", "rate_limited"]);
const STOPPABLE: ReadonlySet<AgentState> = new Set(["running", "loading", "paused", "rate_limited", "awaiting_user_confirmation"]);

/** Pause / resume / stop: each is a change_agent_state action. */
export function AgentControls({ state, send, disabled }: Props) {
  const change = (agent_state: "paused" | "running" | "stopped") => send({ action: "change_agent_state", args: { agent_state } });
  const paused = state === "paused";
  return (
    <div className="agent-controls">
      {paused ? (
        <button type="button" className="btn btn-small" data-testid="resume-button" disabled={disabled} onClick={() => change("running")} title="Resume the agent">
          <Icon name="play" size={14} /> <span className="btn-label">Resume</span>
        </button>
      ) : (
        <button type="button" className="btn btn-small" data-testid="pause-button" disabled={disabled || !state || !PAUSABLE.has(state)} onClick={() => change("paused")} title="Pause the agent">
          <Icon name="pause" size={14} /> <span className="btn-label">Pause</span>
        </button>
      )}
      <button type="button" className="btn btn-small btn-danger-outline" data-testid="stop-button" disabled={disabled || !state || !STOPPABLE.has(state)} onClick={() => change("stopped")} title="Stop the agent">
        <Icon name="stop" size={14} /> <span className="btn-label">Stop</span>
      </button>
    </div>
  );
}
