import { describe, expect, it } from 'vitest';
import { type ExistingContact, groupRecords, planImport } from './plan.js';
import type { ImportRecord } from './records.js';

const record = (row: number, fields: Partial<ImportRecord> & { phones?: string[]; emails?: string[] }): ImportRecord => ({
  row,
  name: fields.name ?? null,
  identities: [
    ...(fields.phones ?? []).map((value) => ({ kind: 'phone' as const, value, consent: null })),
    ...(fields.emails ?? []).map((value) => ({ kind: 'email' as const, value, consent: null })),
    ...(fields.identities ?? []),
  ],
  tags: fields.tags ?? [],
  address: fields.address ?? null,
  language: fields.language ?? null,
  timezone: fields.timezone ?? null,
});

const none = { byMatchKey: new Map(), contacts: new Map() };

function existingOf(...contacts: ExistingContact[]) {
  const byMatchKey = new Map<string, string[]>();
  for (const c of contacts) {
    for (const i of c.identities) {
      const key = i.kind === 'phone' || i.kind === 'whatsapp' ? `tel:${i.value}` : i.kind === 'email' ? `mail:${i.value}` : `${i.kind}:${i.value}`;
      byMatchKey.set(key, [...(byMatchKey.get(key) ?? []), c.id]);
    }
  }
  return { byMatchKey, contacts: new Map(contacts.map((c) => [c.id, c])) };
}

const contact = (id: string, fields: Partial<ExistingContact>): ExistingContact => ({ id, name: null, address: null, language: null, timezone: null, identities: [], tags: [], ...fields });

describe('groupRecords', () => {
  it('joins rows that share a phone or email, transitively and across kinds', () => {
    const groups = groupRecords([
      record(2, { phones: ['+51987654321'] }),
      record(3, { emails: ['b@x.pe'] }),
      record(4, { phones: ['+51987654321'], emails: ['a@x.pe'] }),
      record(5, { identities: [{ kind: 'whatsapp', value: '+51987654321', consent: null }] }),
      record(6, { emails: ['a@x.pe'] }),
    ]);
    expect(groups.map((g) => g.map((r) => r.row))).toEqual([[2, 4, 5, 6], [3]]);
  });
});

describe('planImport', () => {
  it('creates one contact per person in the file, merging repeated rows and skipping exact repeats', () => {
    const plan = planImport(
      [
        record(2, { name: 'Ana', phones: ['+51987654321'], tags: ['vip'] }),
        record(3, { name: 'Ana P.', phones: ['+51987654321'], emails: ['ana@x.pe'] }),
        record(4, { name: 'Ana', phones: ['+51987654321'], tags: ['vip'] }),
        record(5, { name: 'Bob', emails: ['bob@x.pe'] }),
      ],
      none,
    );
    expect(plan.creates).toHaveLength(2);
    expect(plan.creates[0]).toMatchObject({ rows: [2, 3, 4], name: 'Ana', tags: ['vip'] });
    expect(plan.creates[0]!.identities.map((i) => i.value)).toEqual(['+51987654321', 'ana@x.pe']);
    expect([...plan.outcomes.values()].map((o) => [o.row, o.action, o.sameAsRow])).toEqual([
      [2, 'create', null],
      [3, 'merge', 2],
      [4, 'skip', 2],
      [5, 'create', null],
    ]);
  });

  it('adds new handles, tags and empty fields to an existing contact, never overwriting what it has', () => {
    const ana = contact('c1', { name: 'Ana Pérez', identities: [{ kind: 'phone', value: '+51987654321' }], tags: ['vip'] });
    const plan = planImport([record(2, { name: 'Other name', phones: ['+51987654321'], emails: ['ana@x.pe'], tags: ['vip', 'lima'], language: 'es' })], existingOf(ana));
    expect(plan.creates).toEqual([]);
    expect(plan.updates).toEqual([
      {
        contactId: 'c1',
        rows: [2],
        fields: { language: 'es' },
        addIdentities: [{ kind: 'email', value: 'ana@x.pe', consent: null }],
        addTags: ['lima'],
        finalName: 'Ana Pérez',
        finalValues: ['+51987654321', 'ana@x.pe'],
      },
    ]);
    expect(plan.outcomes.get(2)).toMatchObject({ action: 'update', contactId: 'c1' });
  });

  it('matches a WhatsApp number in the file to an existing phone contact', () => {
    const ana = contact('c1', { identities: [{ kind: 'phone', value: '+51987654321' }] });
    const plan = planImport([record(2, { identities: [{ kind: 'whatsapp', value: '+51987654321', consent: null }] })], existingOf(ana));
    expect(plan.updates[0]).toMatchObject({ contactId: 'c1', addIdentities: [{ kind: 'whatsapp', value: '+51987654321' }] });
  });

  it('updates an existing contact from the first of its rows and merges the later ones into it: each row counts once', () => {
    const rosa = contact('c1', { name: 'Rosa Pérez', identities: [{ kind: 'phone', value: '+51987111222' }] });
    const plan = planImport(
      [record(2, { name: 'Ana Torres', phones: ['+51987111222'], tags: ['vip'] }), record(4, { phones: ['+51987111222'], tags: ['mayorista'] }), record(5, { phones: ['+51987111222'] })],
      existingOf(rosa),
    );
    expect(plan.updates).toHaveLength(1);
    expect(plan.updates[0]).toMatchObject({ contactId: 'c1', rows: [2, 4, 5], addTags: ['vip', 'mayorista'] });
    expect([...plan.outcomes.values()].map((o) => [o.row, o.action, o.sameAsRow, o.code])).toEqual([
      [2, 'update', null, 'updates_contact'],
      [4, 'merge', 2, 'same_person_merged'],
      [5, 'skip', 2, 'same_person_nothing_new'],
    ]);
    // The row names another person: the note says whom it updates, and by which phone.
    expect(plan.outcomes.get(2)).toMatchObject({ facts: { contactName: 'Rosa Pérez', shared: [{ kind: 'phone', value: '+51987111222' }] } });
  });

  it('skips a row that brings nothing an existing contact lacks', () => {
    const ana = contact('c1', { name: 'Ana', identities: [{ kind: 'email', value: 'ana@x.pe' }] });
    const plan = planImport([record(2, { name: 'Ana', emails: ['ana@x.pe'] })], existingOf(ana));
    expect(plan.updates).toEqual([]);
    expect(plan.outcomes.get(2)).toEqual({
      row: 2,
      action: 'skip',
      contactId: 'c1',
      sameAsRow: null,
      message: 'contact c1 already has all of this',
      code: 'already_has_all',
      facts: { contactId: 'c1', contactName: 'Ana' },
    });
  });

  it('refuses a person who would join two existing contacts, naming both', () => {
    const a = contact('c1', { name: 'Ana', identities: [{ kind: 'phone', value: '+51987654321' }] });
    const b = contact('c2', { name: 'Ana P', identities: [{ kind: 'email', value: 'ana@x.pe' }] });
    const plan = planImport([record(2, { phones: ['+51987654321'] }), record(3, { phones: ['+51987654321'], emails: ['ana@x.pe'] })], existingOf(a, b));
    expect(plan.creates).toEqual([]);
    expect(plan.updates).toEqual([]);
    expect(plan.errors.map((e) => e.row)).toEqual([2, 3]);
    expect(plan.errors[1]).toMatchObject({
      code: 'matches_several_contacts',
      facts: {
        label: 'row',
        rows: [2, 3],
        contacts: [
          { id: 'c1', name: 'Ana', handles: [{ kind: 'phone', value: '+51987654321' }] },
          { id: 'c2', name: 'Ana P', handles: [{ kind: 'email', value: 'ana@x.pe' }] },
        ],
      },
    });
    expect(plan.outcomes.get(3)).toMatchObject({ action: 'error', code: 'matches_several_contacts', message: plan.errors[1]!.message });
    expect(plan.errors[1]!.message).toMatch(/^row 3: this person matches 2 existing contacts \(rows 2, 3 are the same person\): phone \+51987654321 belongs to contact c1 \(Ana\); email ana@x.pe belongs to contact c2 \(Ana P\)\. Merge those contacts first/);
  });
});
