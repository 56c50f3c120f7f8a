import { useState } from "react";
import { submitApiKey, useKeyRequest } from "../auth.ts";

/** Asks for the session API key when the server answers 401. */
export function ApiKeyPrompt() {
  const request = useKeyRequest();
  const [key, setKey] = useState("");
  if (!request) return null;
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        data-testid="api-key-prompt"
        onSubmit={(e) => {
          e.preventDefault();
          if (!key.trim()) return;
          submitApiKey(key.trim());
          setKey("");
        }}
      >
        <h2>Session API key</h2>
        <p className="muted">{request.reason} It is kept in this browser only.</p>
        <input type="password" data-testid="api-key-input" value={key} onChange={(e) => setKey(e.target.value)} placeholder="SESSION_API_KEY" autoFocus aria-label="Session API key" />
        <button type="submit" className="btn btn-primary" data-testid="api-key-submit" disabled={!key.trim()}>
          Continue
        </button>
      </form>
    </div>
  );
}
