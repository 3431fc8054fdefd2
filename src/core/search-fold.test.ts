import { describe, expect, it } from 'vitest';
import { foldForSearch } from './search-fold.js';

describe('foldForSearch', () => {
  it('drops case and accents', () => {
    expect(foldForSearch('María José PEÑA Ñandú Müller')).toBe('maria jose pena nandu muller');
  });

  it('leaves digits, signs and addresses alone', () => {
    expect(foldForSearch('+51 987 654 321 ana@example.com')).toBe('+51 987 654 321 ana@example.com');
  });
});
