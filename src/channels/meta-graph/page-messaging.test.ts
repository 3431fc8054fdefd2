// The Send API bodies Messenger and Instagram get.
import { describe, expect, it } from 'vitest';
import { pagePayloads, splitText } from './page-messaging.js';

describe('pagePayloads', () => {
  it('sends text as a RESPONSE to the PSID, then each attachment by URL', () => {
    const payloads = pagePayloads({ messageId: 'm1', to: '6783451209876543', text: 'Here is the photo', attachments: [{ url: 'https://x.test/p.png', contentType: 'image/png' }, { url: 'https://x.test/a.pdf' }] }, 2000);
    expect(payloads).toEqual([
      { recipient: { id: '6783451209876543' }, messaging_type: 'RESPONSE', message: { text: 'Here is the photo' } },
      { recipient: { id: '6783451209876543' }, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { url: 'https://x.test/p.png', is_reusable: true } } } },
      { recipient: { id: '6783451209876543' }, messaging_type: 'RESPONSE', message: { attachment: { type: 'file', payload: { url: 'https://x.test/a.pdf', is_reusable: true } } } },
    ]);
  });

  it('splits text longer than the channel allows at word boundaries', () => {
    const parts = splitText('word '.repeat(500).trim(), 1000);
    expect(parts.length).toBe(3);
    expect(parts.every((p) => p.length <= 1000 && !p.startsWith(' ') && !p.endsWith(' '))).toBe(true);
    expect(parts.join(' ')).toBe('word '.repeat(500).trim());
    expect(splitText('x'.repeat(2500), 1000).map((p) => p.length)).toEqual([1000, 1000, 500]);
  });
});
