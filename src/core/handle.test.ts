import { describe, expect, it } from 'vitest';
import { displayHandle, displayIdentity } from './handle.js';

describe('displayHandle', () => {
  it('prefers a phone number, then WhatsApp, then email, then the messengers', () => {
    expect(displayHandle([{ kind: 'email', value: 'ana@example.com' }, { kind: 'phone', value: '+51987654321' }])).toBe('+51987654321');
    expect(displayHandle([{ kind: 'telegram', value: '12345' }, { kind: 'whatsapp', value: '+51911111111' }])).toBe('+51911111111');
    expect(displayHandle([{ kind: 'webchat', value: 'v-1' }, { kind: 'telegram', value: '12345' }, { kind: 'email', value: 'a@b.pe' }])).toBe('a@b.pe');
    expect(displayHandle([{ kind: 'webchat', value: 'v-1' }])).toBe('v-1');
  });

  it('says which kind the shown handle is', () => {
    expect(displayIdentity([{ kind: 'webchat', value: 'v-1' }, { kind: 'telegram', value: '12345' }])).toEqual({ kind: 'telegram', value: '12345' });
    expect(displayIdentity([{ kind: 'webchat', value: 'v-1' }])).toEqual({ kind: 'webchat', value: 'v-1' });
    expect(displayIdentity([])).toBeNull();
  });

  it('keeps the first of several handles of one kind, and gives null for none', () => {
    expect(displayHandle([{ kind: 'phone', value: '+1' }, { kind: 'phone', value: '+2' }])).toBe('+1');
    expect(displayHandle([])).toBeNull();
  });
});
