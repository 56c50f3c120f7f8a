import { useState } from "react";
import { createConversation } from "../api.ts";
import { errorText } from "../format.ts";
import { conversationHref, navigate } from "../router.ts";
import { conversationsChanged } from "../useConversations.ts";
import { ChatInput } from "./ChatInput.tsx";

/** The start screen: describe a task (or start empty) and land in the new conversation. */
export function NewConversation() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Sent only when ticked: unticked leaves the server's own default (CONFIRMATION_MODE) in force.
  const [confirmRisky, setConfirmRisky] = useState(false);

  const create = async (task: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const id = await createConversation({ ...(task ? { initial_task: task } : {}), ...(confirmRisky ? { confirmation_mode: true } : {}) });
      conversationsChanged();
      navigate(conversationHref(id));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="new-conversation-screen" data-testid="new-conversation-screen">
      <div className="hero">
        <h1>What should the agent work on?</h1>
        <p className="muted">Describe a task. The agent works in its own sandboxed workspace; you can watch every command, edit and page it visits.</p>
        <div data-testid="new-task">
          <ChatInput onSend={(task) => void create(task)} disabled={busy} placeholder="e.g. Write a script that counts the lines of every file here" />
        </div>
        <div className="hero-actions">
          <button type="button" className="btn" data-testid="create-empty-conversation" disabled={busy} onClick={() => void create(null)}>
            Start without a task
          </button>
          <label className="hero-option" title="The agent's high-risk actions (deleting files, running downloads…) wait for you to confirm them. It can be switched later in the conversation's header.">
            <input type="checkbox" checked={confirmRisky} onChange={(e) => setConfirmRisky(e.target.checked)} data-testid="new-confirmation-mode" /> Confirm risky actions
          </label>
        </div>
        {error && <div className="banner banner-error">{error}</div>}
      </div>
    </div>
  );
}
