// Messages the visitor wrote that Lifeline has not confirmed yet, kept in localStorage so that nothing typed while
// offline (or before a reload) is lost. Each keeps the clientId it was given when typed: resending after a
// reconnect is the same message, and the server stores it once. Every operation re-reads storage, so two tabs of
// the same site work on one outbox instead of overwriting each other's.

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface OutboxItem {
  clientId: string;
  text: string;
  /** When the visitor typed it, epoch ms: pending messages are shown in the order they were written. */
  at: number;
}

/** Enough for any real conversation typed offline; a cap keeps a stuck outbox from filling the site's storage. */
export const OUTBOX_LIMIT = 50;

export class Outbox {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly limit = OUTBOX_LIMIT,
  ) {}

  items(): OutboxItem[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.store.getItem(this.key) ?? '[]');
    } catch {
      return [];
    }
    return Array.isArray(parsed) ? parsed.filter(isItem) : [];
  }

  /** Null when the outbox is full: the widget then tells the visitor to wait for the connection. */
  add(item: OutboxItem): OutboxItem | null {
    const items = this.items();
    if (items.some((i) => i.clientId === item.clientId)) return item;
    if (items.length >= this.limit) return null;
    this.save([...items, item]);
    return item;
  }

  /** Lifeline stored it: it leaves the outbox. Returns whether it was waiting here. */
  acknowledge(clientId: string): boolean {
    const items = this.items();
    const rest = items.filter((i) => i.clientId !== clientId);
    if (rest.length === items.length) return false;
    this.save(rest);
    return true;
  }

  /** After a reconnect the history shows what was stored even if its ack was lost: those are done too. */
  reconcile(storedIds: Iterable<string>): OutboxItem[] {
    const stored = new Set(storedIds);
    const items = this.items();
    const rest = items.filter((i) => !stored.has(i.clientId));
    if (rest.length !== items.length) this.save(rest);
    return rest;
  }

  private save(items: OutboxItem[]): void {
    try {
      if (items.length === 0) this.store.removeItem(this.key);
      else this.store.setItem(this.key, JSON.stringify(items));
    } catch {
      // Storage full or blocked: the message still goes out while the page stays open.
    }
  }
}

function isItem(value: unknown): value is OutboxItem {
  const item = value as Partial<OutboxItem> | null;
  return typeof item?.clientId === 'string' && typeof item.text === 'string' && typeof item.at === 'number';
}
