import { describe, expect, it } from 'vitest';
import { isSafeUrl, linkify, spanishHandleNoun } from './format';

describe('linkify', () => {
  it('keeps html as text and only makes http(s) links', () => {
    const parts = linkify('<img src=x onerror=alert(1)> see https://shop.example/o/1. or javascript:alert(1)');
    expect(parts).toEqual([
      { text: '<img src=x onerror=alert(1)> see ' },
      { href: 'https://shop.example/o/1', text: 'https://shop.example/o/1' },
      { text: '. or javascript:alert(1)' },
    ]);
  });

  it('leaves closing punctuation outside the link', () => {
    expect(linkify('(http://a.example/x)')).toEqual([{ text: '(' }, { href: 'http://a.example/x', text: 'http://a.example/x' }, { text: ')' }]);
  });

  it('refuses non-web schemes', () => {
    expect(isSafeUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeUrl('data:text/html,x')).toBe(false);
    expect(isSafeUrl('https://ok.example')).toBe(true);
  });
});

describe('spanishHandleNoun', () => {
  it('names a kind of handle in a Spanish sentence', () => {
    expect(['phone', 'email', 'whatsapp', 'telegram'].map(spanishHandleNoun)).toEqual(['el teléfono', 'el correo', 'el WhatsApp', 'el Telegram']);
  });
});
