import { describe, expect, it } from 'vitest';
import { detectDelimiter, readCsv } from './csv.js';

describe('readCsv', () => {
  it('numbers rows as a spreadsheet does, skipping blank lines but keeping their numbers', () => {
    const table = readCsv('Nombre,Teléfono\r\nAna,987654321\r\n\r\n,\r\nBob,912345678\r\n');
    expect(table.headers).toEqual(['Nombre', 'Teléfono']);
    expect(table.rows).toEqual([
      { row: 2, cells: ['Ana', '987654321'] },
      { row: 5, cells: ['Bob', '912345678'] },
    ]);
  });

  it('keeps separators and line breaks inside quoted values, and counts a multi-line value as one row', () => {
    const table = readCsv('Nombre,Dirección,Teléfono\n"Pérez, Ana","Av. Larco 123\nMiraflores",987654321\nBob,"Jr. ""Unión"" 5",912345678\n');
    expect(table.rows).toEqual([
      { row: 2, cells: ['Pérez, Ana', 'Av. Larco 123\nMiraflores', '987654321'] },
      { row: 3, cells: ['Bob', 'Jr. "Unión" 5', '912345678'] },
    ]);
  });

  it('uses the separator of the header line: semicolons from a Spanish Excel, tabs from "Unicode text"', () => {
    expect(detectDelimiter('Nombre;Teléfono;Ciudad, región\nAna;1;2')).toBe(';');
    expect(detectDelimiter('Nombre\tTeléfono\nAna\t1')).toBe('\t');
    expect(detectDelimiter('"a;b",c,d\n')).toBe(',');
    expect(readCsv('Nombre;Teléfono\nAna, la de Lima;987654321\n').rows[0]!.cells).toEqual(['Ana, la de Lima', '987654321']);
  });

  it('gives short rows as they are (missing cells are simply absent)', () => {
    expect(readCsv('a,b,c\n1\n').rows).toEqual([{ row: 2, cells: ['1'] }]);
  });

  it('refuses an unclosed quote with a message that says what to check', () => {
    expect(() => readCsv('a,b\n"open,1\n2,3\n')).toThrow(/double quote that is never closed/);
  });

  it('refuses an empty file', () => {
    expect(() => readCsv('\n\n')).toThrow(/empty/);
  });
});
