import { useEffect, useState } from "react";
import { navigate, useRoute } from "../router.ts";
import { useConversations } from "../useConversations.ts";
import { ApiKeyPrompt } from "./ApiKeyPrompt.tsx";
import { ConversationList } from "./ConversationList.tsx";
import { ConversationView } from "./ConversationView.tsx";
import { Icon } from "./Icon.tsx";
import { NewConversation } from "./NewConversation.tsx";

export function App() {
  const { conversationId } = useRoute();
  const { conversations, error, loaded, more, showOlder } = useConversations();
  // On a phone the list is a drawer, closed whenever a conversation opens.
  const [drawerOpen, setDrawerOpen] = useState(false);
  useEffect(() => setDrawerOpen(false), [conversationId]);

  const title = conversations.find((c) => c.conversation_id === conversationId)?.title ?? null;
  useEffect(() => {
    document.title = conversationId ? `${title || "Conversation"} · bunhands` : "bunhands";
  }, [conversationId, title]);

  return (
    <div className={`app ${drawerOpen ? "drawer-open" : ""}`}>
      <header className="topbar">
        <button type="button" className="btn btn-ghost btn-icon menu-button" onClick={() => setDrawerOpen((open) => !open)} data-testid="menu-button" title="Conversations">
          <Icon name="menu" />
        </button>
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate("/");
          }}
        >
          <span className="brand-mark">bh</span> bunhands
        </a>
      </header>
      <div className="layout">
        <div className="sidebar">
          <ConversationList conversations={conversations} activeId={conversationId} loaded={loaded} error={error} more={more} showOlder={showOlder} />
        </div>
        {drawerOpen && <div className="drawer-backdrop" onClick={() => setDrawerOpen(false)} />}
        <main className="main">{conversationId ? <ConversationView key={conversationId} conversationId={conversationId} title={title} /> : <NewConversation />}</main>
      </div>
      <ApiKeyPrompt />
    </div>
  );
}
