import { useState } from "react";
import { setConfirmationMode } from "../api.ts";
import { errorText } from "../format.ts";
import type { Conversation } from "../wire.ts";
import { Icon } from "./Icon.tsx";

type Props = { conversation: Conversation | null; onChanged(conversation: Conversation): void };

/**
 * Confirmation mode for this conversation: when on, the agent's high-risk actions wait for the user's
 * confirmation. A switch in the header, so the user need not restart the server with CONFIRMATION_MODE.
 */
export function ConfirmationToggle({ conversation, onChanged }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!conversation) return null;
  const on = conversation.confirmation_mode === true;

  const toggle = async () => {
    setBusy(true);
    try {
      onChanged(await setConfirmationMode(conversation.conversation_id, !on));
      setError(null);
    } catch (e) {
      setError(`Could not change confirmation mode: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const title = on
    ? "Confirmation mode is on: the agent's high-risk actions wait for you. Click to turn it off."
    : "Confirmation mode is off: the agent runs every action. Click to make high-risk ones wait for you.";
  return (
    <button
      type="button"
      className={`btn btn-small ${on ? "btn-active" : ""}`}
      onClick={() => void toggle()}
      disabled={busy}
      aria-pressed={on}
      title={error ?? title}
      data-testid="confirmation-toggle"
    >
      <Icon name="shield" size={14} /> <span className="btn-label">{on ? "Confirming" : "Confirm risky"}</span>
    </button>
  );
}
