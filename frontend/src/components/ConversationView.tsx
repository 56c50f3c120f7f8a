import { useEffect, useState, type DragEvent } from "react";
import { commandRunning, pendingConfirmation } from "../eventModel.ts";
import { useConversation } from "../useConversation.ts";
import { conversationsChanged } from "../useConversations.ts";
import { useWorkspace } from "../useWorkspace.ts";
import { AgentControls } from "./AgentControls.tsx";
import { ChatInput } from "./ChatInput.tsx";
import { CommandBox } from "./CommandBox.tsx";
import { ConfirmationPrompt } from "./ConfirmationPrompt.tsx";
import { ConfirmationToggle } from "./ConfirmationToggle.tsx";
import { ConnectionIndicator } from "./ConnectionIndicator.tsx";
import { FilePanel } from "./FilePanel.tsx";
import { Icon } from "./Icon.tsx";
import { StateBadge, stateLabel } from "./StateBadge.tsx";
import { Timeline } from "./Timeline.tsx";

const WIDE_SCREEN = "(min-width: 900px)";

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer.types.includes("Files");
}

/** One conversation: header with state and controls, the timeline, the input boxes and the workspace. */
export function ConversationView({ conversationId, title }: { conversationId: string; title: string | null }) {
  const conversation = useConversation(conversationId);
  const workspace = useWorkspace(conversationId, conversation.workspaceVersion);
  const [filesOpen, setFilesOpen] = useState(() => window.matchMedia(WIDE_SCREEN).matches);
  const [dragging, setDragging] = useState(false);
  const { items, agentState, connection, send } = conversation;
  // The list shows each conversation's state: refresh it when this one's changes.
  useEffect(() => {
    if (agentState) conversationsChanged();
  }, [agentState]);
  const shownTitle = title || conversation.conversation?.title || "Untitled conversation";
  // The tab says how the agent is doing, so a user in another tab sees when it finishes or needs them.
  useEffect(() => {
    document.title = agentState ? `${stateLabel(agentState)} · ${shownTitle} · bunhands` : `${shownTitle} · bunhands`;
  }, [agentState, shownTitle]);

  if (connection === "not_found") {
    return (
      <div className="empty-state" data-testid="conversation-not-found">
        <h2>Conversation not found</h2>
        <p className="muted">It may have been deleted. Pick another one or start a new conversation.</p>
      </div>
    );
  }

  const hasUserMessage = items.some((item) => item.kind === "message" && item.role === "user");
  const sendMessage = (text: string) =>
    // The first message of a conversation is its task: `start` also sets the agent up.
    send(hasUserMessage ? { action: "message", args: { content: text } } : { action: "start", args: { task: text } });

  const onDrop = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    setDragging(false);
    setFilesOpen(true);
    workspace.uploadAll([...event.dataTransfer.files]);
  };

  const confirming = agentState === "awaiting_user_confirmation";
  return (
    <div
      className={`conversation ${filesOpen ? "files-open" : ""}`}
      data-testid="conversation-view"
      data-conversation-id={conversationId}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <section className="chat-column">
        <header className="conversation-head">
          <div className="conversation-heading">
            <h1 className="conversation-title" data-testid="conversation-title" title={shownTitle}>
              {shownTitle}
            </h1>
            <div className="conversation-status">
              <StateBadge state={agentState} />
              <ConnectionIndicator status={connection} />
            </div>
          </div>
          <div className="conversation-actions">
            <ConfirmationToggle conversation={conversation.conversation} onChanged={conversation.setConversation} />
            <AgentControls state={agentState} send={send} disabled={connection !== "connected"} />
            <button type="button" className={`btn btn-small ${filesOpen ? "btn-active" : ""}`} onClick={() => setFilesOpen((open) => !open)} data-testid="files-toggle" title="Show or hide the workspace files">
              <Icon name="panel" size={14} /> <span className="btn-label">Files</span>
            </button>
          </div>
        </header>
        {conversation.loadError && <div className="banner banner-error">{conversation.loadError}</div>}
        <Timeline items={items} eventCount={conversation.log.list.length} maxEventId={conversation.log.maxId} empty="Nothing here yet. Describe a task for the agent, or run a command below." />
        <div className="composer">
          {conversation.notices.map((notice) => (
            <div key={notice.id} className={`banner banner-${notice.level}`} data-testid="notice">
              <span>{notice.text}</span>
              <button type="button" className="btn btn-ghost btn-icon" onClick={() => conversation.dismissNotice(notice.id)} title="Dismiss">
                <Icon name="close" size={12} />
              </button>
            </div>
          ))}
          {confirming && <ConfirmationPrompt action={pendingConfirmation(conversation.log)} send={send} />}
          <CommandBox send={send} disabled={connection !== "connected"} running={commandRunning(conversation.log)} />
          <ChatInput onSend={sendMessage} disabled={connection !== "connected"} placeholder="Message the agent…" />
        </div>
      </section>
      {filesOpen && (
        <FilePanel
          conversationId={conversationId}
          files={workspace.files}
          error={workspace.error}
          upload={workspace.upload}
          version={conversation.workspaceVersion}
          uploadAll={workspace.uploadAll}
          refresh={workspace.refresh}
          onClose={() => setFilesOpen(false)}
        />
      )}
      {dragging && (
        <div className="drop-overlay" data-testid="drop-overlay">
          <Icon name="upload" size={28} />
          <span>Drop to upload into the workspace</span>
        </div>
      )}
    </div>
  );
}
