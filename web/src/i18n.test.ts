import { describe, expect, it } from 'vitest';
import { fill } from './i18n';

describe('fill', () => {
  it('puts the values in, and leaves a placeholder it has no value for', () => {
    expect(fill('{n} sin leer de {who}', { n: 3 })).toBe('3 sin leer de {who}');
  });

  it('picks the singular for exactly one and the plural otherwise', () => {
    const template = '{sent} {sent|enviado|enviados} · {failed} {failed|fallido|fallidos}';
    expect(fill(template, { sent: 1, failed: 0 })).toBe('1 enviado · 0 fallidos');
    expect(fill(template, { sent: 2, failed: 1 })).toBe('2 enviados · 1 fallido');
    expect(fill('{n|one|many}', {})).toBe('{n|one|many}');
  });
});
