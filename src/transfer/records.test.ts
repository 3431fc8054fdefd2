import { describe, expect, it } from 'vitest';
import { checkRecord, type RawContact, type RecordResult } from './records.js';

const check = (values: RawContact['values'], defaultRegion: string | null = 'PE', row = 7): RecordResult => checkRecord({ row, values }, { defaultRegion });
const messages = (result: RecordResult) => ('errors' in result ? result.errors.map((e) => e.message) : []);

describe('checkRecord', () => {
  it('normalises phones to E.164 in the default region, emails to lower case, and splits tags', () => {
    const result = check({ name: ['Ana Pérez'], phone: ['987 654 321'], email: ['Ana@Example.COM'], tags: ['VIP; Lima, vip'], city: ['Lima'], street: ['Av. Larco 123'] });
    expect(result).toEqual({
      record: {
        row: 7,
        name: 'Ana Pérez',
        identities: [
          { kind: 'phone', value: '+51987654321', consent: null },
          { kind: 'email', value: 'ana@example.com', consent: null },
        ],
        tags: ['vip', 'lima'],
        address: { street: 'Av. Larco 123', city: 'Lima' },
        language: null,
        timezone: null,
      },
    });
  });

  it('says which value is wrong, in the words of the brief', () => {
    expect(messages(check({ name: ['X'], phone: ['12ab'] }))).toEqual([
      "row 7: phone '12ab' is not a phone number for PE (write it with its country code, e.g. +51 987 654 321, if it is from elsewhere)",
    ]);
    expect(messages(check({ email: ['ana@'] }))).toEqual(["row 7: email 'ana@' is not an email address (write it as name@example.com)"]);
    expect(messages(check({ phone: ['12ab'] }, null))[0]).toMatch(/not a phone number \(write it with its country code/);
  });

  it('reports every problem of a row, not only the first', () => {
    expect(messages(check({ phone: ['12ab'], email: ['nope'], consent: ['maybe'], timezone: ['Lima'] }))).toHaveLength(4);
  });

  it('spots numbers a spreadsheet turned into scientific notation', () => {
    expect(messages(check({ phone: ['5.19877E+10'] }))[0]).toMatch(/turned into a number by the spreadsheet/);
  });

  it('accepts international numbers without "+" and wa.me links', () => {
    const result = check({ whatsapp: ['51987654321', 'https://wa.me/34612345678'] });
    expect('record' in result && result.record.identities.map((i) => i.value)).toEqual(['+51987654321', '+34612345678']);
  });

  it('takes several handles from one cell and drops repeats', () => {
    const result = check({ phone: ['987654321 / 912345678', '+51 987 654 321'], email: ['a@x.pe; b@x.pe'] });
    expect('record' in result && result.record.identities.map((i) => i.value)).toEqual(['+51987654321', '+51912345678', 'a@x.pe', 'b@x.pe']);
  });

  it('applies a consent column to the row’s handles (yes/no, sí/no…)', () => {
    const yes = check({ phone: ['987654321'], consent: ['Sí'] });
    const no = check({ phone: ['987654321'], consent: ['no'] });
    expect('record' in yes && yes.record.identities[0]!.consent).toBe('granted');
    expect('record' in no && no.record.identities[0]!.consent).toBe('revoked');
  });

  it('builds the name from given and family names', () => {
    const result = check({ givenName: ['Ana María'], familyName: ['Pérez'], phone: ['987654321'] });
    expect('record' in result && result.record.name).toBe('Ana María Pérez');
    const both = check({ name: ['Ana'], familyName: ['Pérez'], phone: ['987654321'] });
    expect('record' in both && both.record.name).toBe('Ana Pérez');
  });

  it('refuses a row with no way to reach the person', () => {
    expect(messages(check({ name: ['Ana'] }))).toEqual(['row 7: has no phone, email or other way to reach the person; a contact needs at least one']);
  });

  it('takes Telegram user ids, and says what to do with a column of usernames', () => {
    const ok = check({ telegram: ['123456789'], phone: ['987654321'] });
    expect('record' in ok && ok.record.identities.map((i) => `${i.kind}:${i.value}`)).toEqual(['phone:+51987654321', 'telegram:123456789']);
    expect(messages(check({ telegram: ['https://t.me/ana_shop'], phone: ['987654321'] }))).toEqual([
      expect.stringMatching(/^row 7: Telegram id 'ana_shop' is not a number: .* map the column to "ignore"/),
    ]);
    expect(messages(check({ viber: ['a b'] }))[0]).toBe("row 7: Viber id 'a b' is not valid: it must be 1-200 characters without spaces");
  });

  it('gives each problem its code and the facts it quotes', () => {
    const result = check({ phone: ['12ab'], whatsapp: ['5.19877E+10'] });
    expect('errors' in result && result.errors.map(({ code, facts }) => ({ code, facts }))).toEqual([
      { code: 'phone_invalid', facts: { field: 'phone', value: '12ab', region: 'PE' } },
      { code: 'phone_mangled', facts: { field: 'whatsapp', value: '5.19877E+10' } },
    ]);
    const nobody = check({ name: ['Ana'] });
    expect('errors' in nobody && nobody.errors).toEqual([{ row: 7, code: 'no_way_to_reach', facts: {}, message: expect.stringMatching(/^row 7: has no phone/) }]);
  });

  it('labels vCards as cards', () => {
    expect(messages(checkRecord({ row: 3, values: { email: ['x'] } }, { defaultRegion: null, label: 'card' }))[0]).toMatch(/^card 3: email 'x'/);
  });
});
