import { describe, expect, it } from 'vitest';
import { chipNames, fullName } from './names';

describe('channel names in the health strip', () => {
  it('names a channel by kind, adding its own name when that says more', () => {
    expect(fullName({ kind: 'whatsapp', name: 'WhatsApp' }, 'en')).toBe('WhatsApp');
    expect(fullName({ kind: 'whatsapp', name: 'Shop line' }, 'en')).toBe('WhatsApp (Shop line)');
  });

  it('tells two channels of one kind apart, and keeps the others short', () => {
    const a = { kind: 'telegram', name: 'Bot A' };
    const b = { kind: 'telegram', name: 'Bot B' };
    const sms = { kind: 'twilio-sms', name: 'Main number' };
    const names = chipNames([a, b, sms], 'en');
    expect(names.get(a)).toBe('Telegram (Bot A)');
    expect(names.get(b)).toBe('Telegram (Bot B)');
    expect(names.get(sms)).toBe('SMS');
  });
});
