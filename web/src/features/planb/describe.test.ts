import { describe, expect, it } from 'vitest';
import type { Channel } from '../../types';
import { duration, incidentChannel } from './describe';

const words = { someChannel: 'A channel' };
const channel = (id: string, kind: string, name: string) => ({ id, kind, name }) as Channel;

describe('incident words', () => {
  it('names the channel by its kind, with its own name when it has one', () => {
    const channels = [channel('c1', 'whatsapp', 'Shop number'), channel('c2', 'telegram', 'telegram')];
    expect(incidentChannel({ channelId: 'c1', channelKind: 'whatsapp' }, channels, 'en', words)).toBe('WhatsApp · Shop number');
    expect(incidentChannel({ channelId: 'c2', channelKind: 'telegram' }, channels, 'en', words)).toBe('Telegram');
    expect(incidentChannel({ channelId: 'gone', channelKind: 'email' }, channels, 'es', words)).toBe('Correo');
    expect(incidentChannel({ channelId: null, channelKind: null }, channels, 'en', words)).toBe('A channel');
  });

  it('says how long something has lasted', () => {
    const start = '2026-01-01T10:00:00.000Z';
    const at = (seconds: number) => Date.parse(start) + seconds * 1000;
    expect(duration(start, at(42))).toBe('42 s');
    expect(duration(start, at(12 * 60 + 5))).toBe('12 min');
    expect(duration(start, at(3 * 3600 + 5 * 60))).toBe('3 h 5 min');
    expect(duration(start, at(50 * 3600))).toBe('2 d 2 h');
  });
});
