import { describe, expect, it } from 'vitest';
import { MappingError, parseMappingPairs, resolveMapping } from './mapping.js';

describe('resolveMapping', () => {
  it('guesses every column from its header, and names duplicates by position', () => {
    const resolved = resolveMapping(['Nombre', 'Teléfono', 'Teléfono', 'Notas']);
    expect(resolved.mapping).toEqual({ Nombre: 'name', '#2': 'phone', '#3': 'phone', Notas: 'ignore' });
    expect(resolved.columns.map((c) => c.field)).toEqual(['name', 'phone', 'phone', null]);
  });

  it('lets the given mapping win, by header (any case or accents) or by position, and "ignore" drop a column', () => {
    const resolved = resolveMapping(['Cliente', 'Cel', 'Correo', 'Extra'], { cel: 'whatsapp', '#4': 'tags', CORREO: 'ignore' });
    expect(resolved.mapping).toEqual({ Cliente: 'name', Cel: 'whatsapp', Correo: 'ignore', Extra: 'tags' });
    expect(resolved.columns[1]).toMatchObject({ field: 'whatsapp', given: true });
  });

  it('refuses a column the file lacks, naming the columns it has', () => {
    expect(() => resolveMapping(['Nombre', 'Teléfono'], { Movil: 'phone' })).toThrow(/no such column.*"Nombre", "Teléfono"/);
  });

  it('refuses a field that does not exist, listing the fields', () => {
    expect(() => resolveMapping(['Nombre', 'Teléfono'], { Nombre: 'fullname' })).toThrow(/not a field.*givenName/);
  });

  it('refuses a file with no column to reach anyone', () => {
    expect(() => resolveMapping(['Nombre', 'Notas'])).toThrow(MappingError);
    expect(() => resolveMapping(['Nombre', 'Notas'])).toThrow(/No column holds a phone number, email/);
  });
});

describe('parseMappingPairs', () => {
  it('splits at the last "="', () => {
    expect(parseMappingPairs(['Teléfono 2=phone', 'a=b=email'])).toEqual({ 'Teléfono 2': 'phone', 'a=b': 'email' });
  });

  it('refuses a pair without a field', () => {
    expect(() => parseMappingPairs(['Teléfono'])).toThrow(/not a column=field pair/);
  });
});
