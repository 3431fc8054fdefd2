import { describe, expect, it } from 'vitest';
import type { ChannelKind } from '../../channels/types.js';
import { CHANNEL_NAMES, capitalize, channelName, channelOperator, describeAddressKinds, formatDuration, joinWords } from './wording.js';

// Every channel kind, checked by the compiler against ChannelKind (this core imports channel code for types only).
const KIND_SET: Record<ChannelKind, true> = {
  whatsapp: true,
  messenger: true,
  instagram: true,
  telegram: true,
  viber: true,
  'twilio-sms': true,
  email: true,
  webchat: true,
  voice: true,
};
const CHANNEL_KINDS = Object.keys(KIND_SET);

describe('channel names', () => {
  it('names every channel kind as a shop owner says it', () => {
    expect(Object.keys(CHANNEL_NAMES).sort()).toEqual([...CHANNEL_KINDS].sort());
    expect(['whatsapp', 'twilio-sms', 'email', 'telegram', 'webchat', 'voice'].map(channelName)).toEqual([
      'WhatsApp',
      'SMS',
      'email',
      'Telegram',
      'web chat',
      'phone call',
    ]);
  });

  it('shows an unknown kind as written, and has no operator for it', () => {
    expect(channelName('fax')).toBe('fax');
    expect(channelName('constructor')).toBe('constructor');
    expect(channelOperator('fax')).toBeNull();
    expect(channelOperator('email')).toBeNull();
    expect(channelOperator('messenger')).toBe('Meta');
  });
});

describe('describeAddressKinds', () => {
  it('joins the handles a channel can use', () => {
    expect(describeAddressKinds(['email'])).toBe('email address');
    expect(describeAddressKinds(['whatsapp', 'phone'])).toBe('WhatsApp or phone number');
    expect(describeAddressKinds(['telegram', 'email'])).toBe('Telegram account or email address');
    expect(describeAddressKinds([])).toBe('address');
  });
});

describe('joinWords and capitalize', () => {
  it('lists words the way a sentence does', () => {
    expect(joinWords([], 'and')).toBe('');
    expect(joinWords(['a'], 'and')).toBe('a');
    expect(joinWords(['a', 'b', 'c'], 'or')).toBe('a, b or c');
    expect(capitalize('email')).toBe('Email');
    expect(capitalize('')).toBe('');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, 'less than a second'],
    [400, 'less than a second'],
    [600, '1 second'],
    [4_200, '4 seconds'],
    [90_000, '1 minute 30 seconds'],
    [300_000, '5 minutes'],
    [3_600_000, '1 hour'],
    [5_400_000, '1 hour 30 minutes'],
    [3_661_000, '1 hour 1 minute'],
    [3_601_000, '1 hour'],
    [86_400_000, '24 hours'],
    [-5, 'less than a second'],
  ])('%i ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
