// The widget's pure parts (the outbox and the reconnect backoff), run under node with a Map for localStorage.
import { describe, expect, it } from 'vitest';
import { BASE_DELAY_MS, MAX_DELAY_MS, reconnectDelay } from '../../widget/src/backoff.js';
import { type KeyValueStore, Outbox } from '../../widget/src/outbox.js';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const item = (n: number) => ({ clientId: `client-${n}`, text: `message ${n}`, at: n });

describe('Outbox', () => {
  it('keeps messages in storage, in order, until each is acknowledged', () => {
    const store = memoryStore();
    const outbox = new Outbox(store, 'k');
    outbox.add(item(1));
    outbox.add(item(2));
    // A reload (a new Outbox on the same storage) still has them.
    expect(new Outbox(store, 'k').items().map((i) => i.clientId)).toEqual(['client-1', 'client-2']);
    expect(outbox.acknowledge('client-1')).toBe(true);
    expect(outbox.acknowledge('client-1')).toBe(false);
    expect(outbox.items()).toEqual([item(2)]);
    outbox.acknowledge('client-2');
    expect(store.data.has('k')).toBe(false);
  });

  it('adding the same clientId twice keeps one copy', () => {
    const outbox = new Outbox(memoryStore(), 'k');
    outbox.add(item(1));
    outbox.add({ ...item(1), text: 'changed' });
    expect(outbox.items()).toEqual([item(1)]);
  });

  it('drops what the server history shows as stored (an ack lost with the connection)', () => {
    const outbox = new Outbox(memoryStore(), 'k');
    [1, 2, 3].forEach((n) => outbox.add(item(n)));
    expect(outbox.reconcile(['client-2', 'someone-else']).map((i) => i.clientId)).toEqual(['client-1', 'client-3']);
    expect(outbox.items().map((i) => i.clientId)).toEqual(['client-1', 'client-3']);
  });

  it('two tabs share one outbox instead of overwriting each other', () => {
    const store = memoryStore();
    const tabA = new Outbox(store, 'k');
    const tabB = new Outbox(store, 'k');
    tabA.add(item(1));
    tabB.add(item(2));
    tabA.acknowledge('client-1');
    expect(tabB.items()).toEqual([item(2)]);
  });

  it('refuses new messages when full and survives corrupt or blocked storage', () => {
    const outbox = new Outbox(memoryStore(), 'k', 2);
    expect(outbox.add(item(1))).not.toBeNull();
    expect(outbox.add(item(2))).not.toBeNull();
    expect(outbox.add(item(3))).toBeNull();

    const corrupt = memoryStore();
    corrupt.data.set('k', '{not json');
    expect(new Outbox(corrupt, 'k').items()).toEqual([]);
    corrupt.data.set('k', JSON.stringify([item(1), { clientId: 5 }, null]));
    expect(new Outbox(corrupt, 'k').items()).toEqual([item(1)]);

    const blocked: KeyValueStore = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => {} };
    expect(() => new Outbox(blocked, 'k').add(item(1))).not.toThrow();
  });
});

describe('reconnectDelay', () => {
  it('doubles per failure between half and all of its ceiling, and stays bounded', () => {
    expect(reconnectDelay(0, 0)).toBe(BASE_DELAY_MS / 2);
    expect(reconnectDelay(0, 0.999)).toBeLessThanOrEqual(BASE_DELAY_MS);
    expect(reconnectDelay(3, 0)).toBe(4000);
    expect(reconnectDelay(3, 0.5)).toBe(6000);
    expect(reconnectDelay(50, 0.999)).toBeLessThanOrEqual(MAX_DELAY_MS);
    expect(reconnectDelay(50, 0)).toBe(MAX_DELAY_MS / 2);
    expect(reconnectDelay(-1, 0)).toBe(BASE_DELAY_MS / 2);
  });

  it('spreads visitors out: different random draws give different delays', () => {
    expect(new Set([0.1, 0.4, 0.8].map((r) => reconnectDelay(4, r))).size).toBe(3);
  });
});
