import { useState } from "react";
import { deleteConversation, renameConversation } from "../api.ts";
import { errorText, relativeTime } from "../format.ts";
import { conversationHref, navigate } from "../router.ts";
import { conversationsChanged } from "../useConversations.ts";
import { toAgentState, type Conversation } from "../wire.ts";
import { Icon } from "./Icon.tsx";
import { StateBadge } from "./StateBadge.tsx";

/** The server's longest title (PATCH /api/conversations/:id): the box takes no more. */
const TITLE_MAX = 200;

/** A conversation's title as the list shows it (and filters it). */
function shownTitle(conversation: Conversation): string {
  return conversation.title || "Untitled conversation";
}

type ItemProps = { conversation: Conversation; active: boolean; onError(message: string): void };

function ConversationItem({ conversation, active, onError }: ItemProps) {
  const id = conversation.conversation_id;
  const title = shownTitle(conversation);
  const [mode, setMode] = useState<"view" | "rename" | "delete">("view");
  const [draft, setDraft] = useState(title);

  const rename = async () => {
    setMode("view");
    const next = draft.trim();
    if (!next || next === title) return;
    try {
      await renameConversation(id, next);
      conversationsChanged();
    } catch (e) {
      onError(`Rename failed: ${errorText(e)}`);
    }
  };

  const remove = async () => {
    try {
      await deleteConversation(id);
      if (active) navigate("/");
      conversationsChanged();
    } catch (e) {
      onError(`Delete failed: ${errorText(e)}`);
      setMode("view");
    }
  };

  return (
    <li className={`conversation-item ${active ? "active" : ""}`} data-testid="conversation-item" data-conversation-id={id}>
      {mode === "rename" ? (
        <form
          className="rename-form"
          onSubmit={(e) => {
            e.preventDefault();
            void rename();
          }}
        >
          <input data-testid="conversation-rename-input" value={draft} maxLength={TITLE_MAX} onChange={(e) => setDraft(e.target.value)} onBlur={() => void rename()} onKeyDown={(e) => e.key === "Escape" && setMode("view")} autoFocus aria-label="New title" />
        </form>
      ) : (
        <a
          className="conversation-link"
          href={conversationHref(id)}
          data-testid="conversation-open"
          onClick={(e) => {
            e.preventDefault();
            navigate(conversationHref(id));
          }}
        >
          <span className="conversation-item-title" data-testid="conversation-item-title">{title}</span>
          <span className="conversation-meta">
            <StateBadge state={toAgentState(conversation.agent_state)} testId="conversation-state" />
            <span className="muted" data-testid="conversation-activity" title={conversation.last_activity_at ?? ""}>
              {relativeTime(conversation.last_activity_at ?? conversation.created_at)}
            </span>
          </span>
        </a>
      )}
      {mode === "delete" ? (
        <span className="confirm-delete">
          <button type="button" className="btn btn-small btn-danger" data-testid="conversation-delete-confirm" onClick={() => void remove()}>
            Delete
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setMode("view")}>
            Keep
          </button>
        </span>
      ) : (
        mode === "view" && (
          <span className="item-actions">
            <button type="button" className="btn btn-ghost btn-icon" data-testid="conversation-rename" title="Rename" onClick={() => (setDraft(title), setMode("rename"))}>
              <Icon name="pencil" size={14} />
            </button>
            <button type="button" className="btn btn-ghost btn-icon" data-testid="conversation-delete" title="Delete" onClick={() => setMode("delete")}>
              <Icon name="trash" size={14} />
            </button>
          </span>
        )
      )}
    </li>
  );
}

type ListProps = { conversations: Conversation[]; activeId: string | null; loaded: boolean; error: string | null; more: boolean; showOlder(): void };

/** The sidebar: the conversations, newest activity first, older ones on request. */
export function ConversationList({ conversations, activeId, loaded, error, more, showOlder }: ListProps) {
  const [actionError, setActionError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  const shown = needle ? conversations.filter((c) => shownTitle(c).toLowerCase().includes(needle)) : conversations;
  return (
    <nav className="conversation-list" data-testid="conversation-list" aria-label="Conversations">
      <button type="button" className="btn btn-primary new-conversation" data-testid="new-conversation" onClick={() => navigate("/")}>
        <Icon name="plus" size={14} /> New conversation
      </button>
      {conversations.length > 1 && (
        <input
          type="search"
          className="conversation-filter"
          placeholder="Filter by title"
          aria-label="Filter conversations by title"
          data-testid="conversation-filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      )}
      {(error || actionError) && <div className="banner banner-error">{actionError ?? error}</div>}
      {loaded && conversations.length === 0 && !error && <div className="muted pad">No conversations yet.</div>}
      {needle && shown.length === 0 && <div className="muted pad" data-testid="conversation-filter-empty">No loaded conversation matches.</div>}
      <ul>
        {shown.map((c) => (
          <ConversationItem key={c.conversation_id} conversation={c} active={c.conversation_id === activeId} onError={setActionError} />
        ))}
      </ul>
      {more && (
        <button type="button" className="btn btn-ghost show-older" data-testid="show-older-conversations" onClick={showOlder}>
          Show older conversations
        </button>
      )}
    </nav>
  );
}
