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
  // A conversation's page titles its tab itself (with the agent's state).
  useEffect(() => {
    if (!conversationId) document.title = "bunhands";
  }, [conversationId]);

  return (
    <div className={`app ${drawerOpen ? "drawer-open" : ""}`}>
      <header className="topbar">
        <button type="button" className="btn btn-ghost btn-icon menu-button" onClick={() => setDrawerOpen((open) => !open)} data-testid="menu-button" title="Conversations">
          <Icon name="menu" />
        </button>
        <a
          className="brand"
          data-testid="brand-link"
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
