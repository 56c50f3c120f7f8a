import { actionTitle } from "../eventModel.ts";
import type { ActionEvent, ClientAction } from "../wire.ts";

type Props = { action: ActionEvent | null; send(action: ClientAction): void };

/** Shown while the agent waits for the user to allow (or refuse) its next action. */
export function ConfirmationPrompt({ action, send }: Props) {
  const answer = (agent_state: "user_confirmed" | "user_rejected") => send({ action: "change_agent_state", args: { agent_state } });
  return (
    <div className="confirmation" data-testid="confirmation-prompt" role="alertdialog" aria-label="Confirm the agent's action">
      <div className="confirmation-text">
        <strong>The agent wants to run this action.</strong>
        {action && <code className="confirmation-action">{actionTitle(action)}</code>}
      </div>
      <div className="confirmation-buttons">
        <button type="button" className="btn btn-primary" data-testid="confirm-button" onClick={() => answer("user_confirmed")}>
          Confirm
        </button>
        <button type="button" className="btn btn-danger-outline" data-testid="reject-button" onClick={() => answer("user_rejected")}>
          Reject
        </button>
      </div>
    </div>
  );
}
