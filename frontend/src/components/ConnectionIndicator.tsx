import type { ConnectionStatus } from "../socket.ts";

const LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  not_found: "Conversation not found",
};

export function ConnectionIndicator({ status }: { status: ConnectionStatus }) {
  return (
    <span className={`connection connection-${status}`} data-testid="connection-status" data-status={status} title="Live connection to the server">
      <span className="connection-dot" />
      <span className="connection-label">{LABELS[status]}</span>
    </span>
  );
}
