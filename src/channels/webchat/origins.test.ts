import { describe, expect, it } from 'vitest';
import { originAllowed } from './origins.js';

const own = ['https://lifeline.example', 'http://127.0.0.1:3000/'];

describe('originAllowed', () => {
  it('lets any site in when no list is set', () => {
    expect(originAllowed('https://anyone.example', undefined, own)).toBe(true);
    expect(originAllowed(undefined, [], own)).toBe(true);
  });

  it('with a list, lets in the listed sites and Lifeline itself only', () => {
    const list = ['https://shop.example'];
    expect(originAllowed('https://shop.example', list, own)).toBe(true);
    expect(originAllowed('https://lifeline.example', list, own)).toBe(true);
    expect(originAllowed('http://127.0.0.1:3000', list, own)).toBe(true);
    expect(originAllowed('https://shop.example.evil.example', list, own)).toBe(false);
    expect(originAllowed('http://shop.example', list, own)).toBe(false);
    expect(originAllowed(undefined, list, own)).toBe(false);
    expect(originAllowed('null', list, own)).toBe(false);
  });
});
