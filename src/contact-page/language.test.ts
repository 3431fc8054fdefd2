import { describe, expect, it } from 'vitest';
import { pickLanguage } from './language.js';

describe('pickLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['es', 'es'],
    ['es-PE,es;q=0.9,en;q=0.8', 'es'],
    ['en-US,en;q=0.9,es;q=0.8', 'en'],
    ['fr-FR,fr;q=0.9,es;q=0.7,en;q=0.5', 'es'],
    ['de, en;q=0.1', 'en'],
    ['en;q=0.2, es;q=0.8', 'es'],
    ['es;q=0, en', 'en'],
    ['*', 'en'],
    ['fr', 'en'],
    ['es;q=abc, en;q=0.5', 'en'],
  ] as const)('%j → %s', (header, expected) => {
    expect(pickLanguage(header)).toBe(expected);
  });

  it('prefers an explicit ?lang= that it supports', () => {
    expect(pickLanguage('en-US', 'es')).toBe('es');
    expect(pickLanguage('es', 'EN')).toBe('en');
    expect(pickLanguage('es', 'fr')).toBe('es');
    expect(pickLanguage('es', ['en'])).toBe('es');
  });
});
