import { describe, expect, it } from 'vitest';
import { decodeText } from './decode.js';

const cp1252 = (text: string) => Uint8Array.from([...text].map((c) => ({ é: 0xe9, ñ: 0xf1, ó: 0xf3, Á: 0xc1, '€': 0x80 })[c] ?? c.charCodeAt(0)));

describe('decodeText', () => {
  it('reads UTF-8 and strips its BOM, with no note', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('Nombre,Teléfono\n')]);
    expect(decodeText(bytes)).toEqual({ text: 'Nombre,Teléfono\n', encoding: 'utf-8', note: null });
  });

  it('reads a file that is not UTF-8 as Windows-1252 and says so', () => {
    const decoded = decodeText(cp1252('Peña,José,Ángel,5€'));
    expect(decoded.text).toBe('Peña,José,Ángel,5€');
    expect(decoded.encoding).toBe('windows-1252');
    expect(decoded.note).toMatch(/not valid UTF-8.*Windows-1252/);
  });

  it('reads UTF-16 with a BOM (Excel "Unicode text")', () => {
    const body = 'Nombre\tCorreo\nAna Núñez\tana@x.pe\n';
    const bytes = new Uint8Array(2 + body.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < body.length; i++) bytes.set([body.charCodeAt(i) & 0xff, body.charCodeAt(i) >> 8], 2 + i * 2);
    expect(decodeText(bytes)).toMatchObject({ text: body, encoding: 'utf-16le' });
  });
});
