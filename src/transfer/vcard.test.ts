import { describe, expect, it } from 'vitest';
import { checkRecord } from './records.js';
import { readVcards } from './vcard-read.js';
import { contactToVcard, escapeText, foldLine } from './vcard-write.js';

describe('readVcards', () => {
  it('reads vCard 3.0 and 4.0 cards into fields', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Pérez\\, Ana',
      'N:Pérez;Ana;;;',
      'TEL;TYPE=CELL:+51 987 654 321',
      'EMAIL;TYPE=INTERNET:Ana@Example.com',
      'ADR;TYPE=HOME:;Miraflores;Av. Larco 123;Lima;Lima;15074;Perú',
      'CATEGORIES:vip,lima',
      'IMPP:telegram:ana_tg',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:4.0',
      'N:Smith;Bob;;;',
      'TEL;VALUE=uri;TYPE=cell:tel:+1-202-555-0143',
      'END:VCARD',
      '',
    ].join('\r\n');
    const { cards, errors } = readVcards(text);
    expect(errors).toEqual([]);
    expect(cards[0]).toEqual({
      row: 1,
      values: {
        name: ['Pérez, Ana'],
        phone: ['+51 987 654 321'],
        email: ['Ana@Example.com'],
        street: ['Av. Larco 123'],
        district: ['Miraflores'],
        city: ['Lima'],
        region: ['Lima'],
        postalCode: ['15074'],
        country: ['Perú'],
        tags: ['vip', 'lima'],
        telegram: ['ana_tg'],
      },
    });
    expect(cards[1]).toEqual({ row: 2, values: { givenName: ['Bob'], familyName: ['Smith'], phone: ['+1-202-555-0143'] } });
  });

  it('reports a broken card by number and keeps the others', () => {
    const { cards, errors } = readVcards('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ok\r\nEMAIL:ok@x.pe\r\nEND:VCARD\r\nBEGIN:VCARD\r\nthis is not a property\r\nEND:VCARD\r\n');
    expect(cards).toHaveLength(1);
    expect(errors).toEqual([{ row: 2, message: expect.stringMatching(/^card 2: could not be read/), code: 'card_unreadable', facts: { error: expect.any(String) } }]);
  });

  it('reads a time zone name in a vCard 3.0 card, where TZ is an offset by default', () => {
    const card = (tz: string) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEMAIL:ana@x.pe\r\n${tz}\r\nEND:VCARD\r\n`;
    for (const tz of ['TZ:America/Lima', 'tz;VALUE=TEXT:America/Lima']) {
      const { cards, errors } = readVcards(card(tz));
      expect(errors, tz).toEqual([]);
      expect(cards[0]!.values.timezone, tz).toEqual(['America/Lima']);
    }
    const offset = readVcards(card('TZ:-05:00'));
    expect(offset.errors).toEqual([]);
    expect(offset.cards[0]!.values.email).toEqual(['ana@x.pe']);
  });

  it('decodes quoted-printable names of vCard 2.1', () => {
    const { cards } = readVcards('BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 Pe=\r\n=C3=B1a\r\nTEL;CELL:987654321\r\nEND:VCARD\r\n');
    expect(cards[0]!.values.name).toEqual(['José Peña']);
    expect(cards[0]!.values.phone).toEqual(['987654321']);
  });
});

describe('contactToVcard', () => {
  const contact = {
    id: '0190a0b0-0000-7000-8000-000000000001',
    name: 'Ana Pérez; "la de Lima", con una descripción muy larga que pasa de setenta y cinco octetos',
    identities: [
      { kind: 'phone', value: '+51987654321' },
      { kind: 'email', value: 'ana@example.com' },
      { kind: 'whatsapp', value: '+51987654321' },
      { kind: 'telegram', value: '12345678' },
      { kind: 'webchat', value: 'visitor-1' },
    ],
    tags: ['vip', 'a,b'],
    address: { street: 'Av. Larco 123', district: 'Miraflores', city: 'Lima', country: 'Perú' },
    language: 'es',
    timezone: 'America/Lima',
    updatedAt: Date.UTC(2024, 0, 2, 3, 4, 5),
  };

  it('writes RFC 6350 lines: CRLF, folded at 75 octets, escaped text', () => {
    const card = contactToVcard(contact);
    expect(card.startsWith('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:0190a0b0-0000-7000-8000-000000000001\r\n')).toBe(true);
    expect(card.endsWith('REV:20240102T030405Z\r\nEND:VCARD\r\n')).toBe(true);
    for (const line of card.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(card).toContain('TEL;VALUE=uri;TYPE=cell:tel:+51987654321\r\n');
    expect(card).toContain('CATEGORIES:vip,a\\,b\r\n');
    expect(card).toContain('ADR:;Miraflores;Av. Larco 123;Lima;;;Perú\r\n');
    expect(card).not.toContain('visitor-1');
  });

  it('reads back to the same handles, tags and address', () => {
    const { cards } = readVcards(contactToVcard(contact));
    const checked = checkRecord(cards[0]!, { defaultRegion: 'PE', label: 'card' });
    expect('record' in checked).toBe(true);
    if (!('record' in checked)) return;
    expect(checked.record.name).toBe(contact.name);
    expect(checked.record.identities.map((i) => `${i.kind}:${i.value}`)).toEqual(['phone:+51987654321', 'email:ana@example.com', 'whatsapp:+51987654321', 'telegram:12345678']);
    expect(checked.record.tags).toEqual(['vip', 'a', 'b']);
    expect(checked.record.address).toEqual(contact.address);
    expect(checked.record).toMatchObject({ language: 'es', timezone: 'America/Lima' });
  });

  it('escapes and folds without splitting a character', () => {
    expect(escapeText('a\\b,c;d\ne')).toBe('a\\\\b\\,c;d\\ne');
    expect(escapeText('a;b', true)).toBe('a\\;b');
    const folded = foldLine(`NOTE:${'ñ'.repeat(80)}`);
    expect(folded.split('\r\n ').join('')).toBe(`NOTE:${'ñ'.repeat(80)}`);
  });
});
