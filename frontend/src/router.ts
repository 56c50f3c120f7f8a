import { useSyncExternalStore } from "react";

// Two screens: "/" (start a conversation) and "/conversations/:id". The server answers index.html
// for both, so a reload lands on the same screen.

export type Route = { conversationId: string | null };

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

export function parseRoute(pathname: string): Route {
  const match = /^\/conversations\/([^/]+)\/?$/.exec(pathname);
  return { conversationId: match ? decodeURIComponent(match[1]!) : null };
}

export function conversationHref(id: string): string {
  return `/conversations/${encodeURIComponent(id)}`;
}

export function navigate(path: string): void {
  if (window.location.pathname === path) return;
  window.history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  return parseRoute(pathname);
}
