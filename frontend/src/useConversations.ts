import { useCallback, useEffect, useState } from "react";
import { listConversations } from "./api.ts";
import type { Conversation } from "./wire.ts";

const REFRESH_MS = 10_000;
const CHANGED = "bunhands:conversations-changed";

/** Tells every list on the page to refresh (after a create, rename or delete). */
export function conversationsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

/** How many more conversations each "show older" asks for. */
export const CONVERSATIONS_STEP = 100;

export type ConversationListState = { conversations: Conversation[]; error: string | null; loaded: boolean; more: boolean; showOlder(): void };

/** The newest conversations (100, and more on request), refreshed on changes, on focus and every few seconds. */
export function useConversations(): ConversationListState {
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [more, setMore] = useState(false);
  const [wanted, setWanted] = useState(CONVERSATIONS_STEP);

  const refresh = useCallback(() => {
    listConversations(wanted)
      .then((list) => {
        setConversations(list.conversations);
        setMore(list.more);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setLoaded(true));
  }, [wanted]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    window.addEventListener(CHANGED, refresh);
    window.addEventListener("focus", refresh);
    return () => {
      clearInterval(timer);
      window.removeEventListener(CHANGED, refresh);
      window.removeEventListener("focus", refresh);
    };
  }, [refresh]);

  const showOlder = useCallback(() => setWanted((n) => n + CONVERSATIONS_STEP), []);
  return { conversations, error, loaded, more, showOlder };
}
