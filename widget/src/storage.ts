// localStorage when the site allows it; otherwise (Safari private mode, storage blocked for third parties) a
// memory store, so the chat still works for the life of the page.
import type { KeyValueStore } from './outbox.js';

export function visitorStorage(): KeyValueStore {
  try {
    const store = window.localStorage;
    const probe = '__lifeline_probe__';
    store.setItem(probe, '1');
    store.removeItem(probe);
    return store;
  } catch {
    const memory = new Map<string, string>();
    return {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => void memory.set(key, value),
      removeItem: (key) => void memory.delete(key),
    };
  }
}

/** A small persisted JSON value under one key, tolerant of what another version of the widget left there. */
export function readJson<T>(store: KeyValueStore, key: string, valid: (value: unknown) => value is T): T | null {
  try {
    const value: unknown = JSON.parse(store.getItem(key) ?? 'null');
    return valid(value) ? value : null;
  } catch {
    return null;
  }
}

export function writeJson(store: KeyValueStore, key: string, value: unknown): void {
  try {
    store.setItem(key, JSON.stringify(value));
  } catch {
    // Full or blocked storage: keep going in memory.
  }
}
