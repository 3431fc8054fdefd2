import { describe, expect, it } from 'vitest';
import { MAX_SOCKETS_PER_VISITOR, WebchatHub } from './hub.js';

const socket = () => {
  const received: string[] = [];
  return { received, send: (data: string) => void received.push(data) };
};
const frame = { type: 'message' as const, id: 'm1', text: 'hola', at: 1, direction: 'outbound' as const };

describe('WebchatHub', () => {
  it('pushes to every tab of the visitor, and only to that visitor on that channel', () => {
    const hub = new WebchatHub();
    const [a1, a2, b, other] = [socket(), socket(), socket(), socket()];
    hub.attach('ch1', 'va', a1);
    hub.attach('ch1', 'va', a2);
    hub.attach('ch1', 'vb', b);
    hub.attach('ch2', 'va', other);
    expect(hub.push('ch1', 'va', frame)).toBe(2);
    expect(JSON.parse(a1.received[0]!)).toEqual(frame);
    expect(a2.received).toHaveLength(1);
    expect(b.received).toHaveLength(0);
    expect(other.received).toHaveLength(0);
    expect(hub.connectedVisitors('ch1')).toBe(2);
  });

  it('forgets detached sockets and reports a visitor who is away', () => {
    const hub = new WebchatHub();
    const detach = hub.attach('ch1', 'va', socket())!;
    expect(hub.isConnected('ch1', 'va')).toBe(true);
    detach();
    expect(hub.isConnected('ch1', 'va')).toBe(false);
    expect(hub.push('ch1', 'va', frame)).toBe(0);
  });

  it('keeps pushing to the other tabs when one socket throws', () => {
    const hub = new WebchatHub();
    const good = socket();
    hub.attach('ch1', 'va', { send: () => { throw new Error('closed'); } });
    hub.attach('ch1', 'va', good);
    expect(hub.push('ch1', 'va', frame)).toBe(1);
    expect(good.received).toHaveLength(1);
  });

  it('refuses more sockets than a person has tabs', () => {
    const hub = new WebchatHub();
    for (let i = 0; i < MAX_SOCKETS_PER_VISITOR; i += 1) expect(hub.attach('ch1', 'va', socket())).not.toBeNull();
    expect(hub.attach('ch1', 'va', socket())).toBeNull();
  });
});
