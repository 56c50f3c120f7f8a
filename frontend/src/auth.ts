import { useSyncExternalStore } from "react";

// The session API key lives in localStorage; when the server answers 401 the UI asks for it once
// and every request that was waiting retries with the new key.

const STORAGE_KEY = "bunhands.sessionApiKey";

export type KeyRequest = { reason: string };

let pending: { request: KeyRequest; promise: Promise<string>; resolve: (key: string) => void } | null = null;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

export function getApiKey(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Asks the user for a key; every caller while the prompt is open shares one answer. */
export function requestApiKey(reason: string): Promise<string> {
  if (pending) return pending.promise;
  let resolve: (key: string) => void = () => {};
  const promise = new Promise<string>((r) => (resolve = r));
  pending = { request: { reason }, promise, resolve };
  emit();
  return promise;
}

export function submitApiKey(key: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Private mode: the key still works for this page.
  }
  const current = pending;
  pending = null;
  emit();
  current?.resolve(key);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The open key request, or null: drives the ApiKeyPrompt. */
export function useKeyRequest(): KeyRequest | null {
  return useSyncExternalStore(subscribe, () => pending?.request ?? null);
}
