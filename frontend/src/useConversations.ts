import { useCallback, useEffect, useState } from "react";
import { listConversations } from "./api.ts";
import type { Conversation } from "./wire.ts";

const REFRESH_MS = 10_000;
const CHANGED = "bunhands:conversations-changed";

/** Tells every list on the page to refresh (after a create, rename or delete). */
export function conversationsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

/** The conversation list, refreshed on changes, on focus and every few seconds. */
export function useConversations(): { conversations: Conversation[]; error: string | null; loaded: boolean } {
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const refresh = useCallback(() => {
    listConversations()
      .then((list) => {
        setConversations(list);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setLoaded(true));
  }, []);

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

  return { conversations, error, loaded };
}
