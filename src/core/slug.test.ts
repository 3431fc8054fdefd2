import { describe, expect, it } from 'vitest';
import { SLUG_PATTERN, slugify, uniqueSlug } from './slug.js';

describe('slugify', () => {
  it('lower-cases, strips accents and turns everything else into single dashes', () => {
    expect(slugify('Bodega Doña Marta')).toBe('bodega-dona-marta');
    expect(slugify('  Café & Té — Lima!! ')).toBe('cafe-te-lima');
    expect(slugify('ÁÉÍÓÚ üñ Ça')).toBe('aeiou-un-ca');
    expect(slugify('Straße Ærø')).toBe('strasse-aero');
    expect(slugify('shop_2024.pe')).toBe('shop-2024-pe');
  });

  it('falls back to "workspace" for a name without letters or digits', () => {
    expect(slugify('')).toBe('workspace');
    expect(slugify('!!! ---')).toBe('workspace');
    expect(slugify('商店')).toBe('workspace');
  });

  it('keeps to 64 characters without a trailing dash', () => {
    const slug = slugify(`${'a'.repeat(63)} b`);
    expect(slug).toBe('a'.repeat(63));
    expect(slugify('x'.repeat(200))).toHaveLength(64);
  });

  it('always gives a valid slug', () => {
    for (const name of ['Bodega Doña Marta', '---a---', 'Ω', '9 lives', `${'é'.repeat(100)}z`, 'A-B']) {
      expect(slugify(name)).toMatch(SLUG_PATTERN);
    }
  });
});

describe('uniqueSlug', () => {
  it('adds -2, -3… until the slug is free', () => {
    expect(uniqueSlug('shop', new Set())).toBe('shop');
    expect(uniqueSlug('shop', new Set(['shop']))).toBe('shop-2');
    expect(uniqueSlug('shop', new Set(['shop', 'shop-2', 'shop-3']))).toBe('shop-4');
  });

  it('cuts a long base to make room for the suffix', () => {
    const base = `${'a'.repeat(62)}-b`;
    const next = uniqueSlug(base, new Set([base]));
    expect(next).toBe(`${'a'.repeat(62)}-2`);
    expect(next).toMatch(SLUG_PATTERN);
  });
});

describe('SLUG_PATTERN', () => {
  it('accepts slugs and refuses what is not one', () => {
    for (const ok of ['a', 'shop', 'bodega-marta-2', '9', 'a'.repeat(64)]) expect(ok).toMatch(SLUG_PATTERN);
    for (const bad of ['', '-a', 'a-', 'A', 'a_b', 'a b', 'ñ', 'a'.repeat(65)]) expect(bad).not.toMatch(SLUG_PATTERN);
  });
});
