import { describe, expect, it } from 'vitest';
import { type MergeableContact, mergeContactFields, suggestMerges, withChatLinks } from './merge.js';

const contact = (patch: Partial<MergeableContact>): MergeableContact => ({
  id: 'a',
  name: null,
  address: null,
  preferredChannels: [],
  timezone: null,
  language: null,
  createdAt: 1000,
  ...patch,
});

describe('mergeContactFields', () => {
  it('keeps the surviving contact values and fills the gaps from the other', () => {
    const merged = mergeContactFields(
      contact({ id: 'keep', name: 'Ana', preferredChannels: ['whatsapp'], createdAt: 2000 }),
      contact({ id: 'other', name: 'Ana P.', address: { city: 'Lima' }, timezone: 'America/Lima', preferredChannels: ['email', 'whatsapp'], createdAt: 1000 }),
    );
    expect(merged).toMatchObject({ id: 'keep', name: 'Ana', address: { city: 'Lima' }, timezone: 'America/Lima', createdAt: 1000 });
    expect(merged.preferredChannels).toEqual(['whatsapp', 'email']);
  });

  it('takes the other name when the surviving one is blank', () => {
    expect(mergeContactFields(contact({ name: '  ' }), contact({ name: 'Luis' })).name).toBe('Luis');
  });
});

describe('suggestMerges', () => {
  it('pairs contacts sharing a phone across kinds, once per pair', () => {
    const suggestions = suggestMerges([
      { contactId: 'b', matchKey: 'tel:+51987654321' },
      { contactId: 'a', matchKey: 'tel:+51987654321' },
      { contactId: 'a', matchKey: 'mail:ana@example.com' },
      { contactId: 'b', matchKey: 'mail:ana@example.com' },
    ]);
    expect(suggestions).toHaveLength(1);
    expect(suggestions[0]!.contactIds).toEqual(['a', 'b']);
    expect(suggestions[0]!.reason).toContain('+51987654321');
  });

  it('ignores provider ids and identities of a single contact', () => {
    expect(
      suggestMerges([
        { contactId: 'a', matchKey: 'telegram:1' },
        { contactId: 'b', matchKey: 'telegram:1' },
        { contactId: 'c', matchKey: 'tel:+1' },
      ]),
    ).toEqual([]);
  });
});

describe('withChatLinks', () => {
  it('adds the pairs a web chat visitor linked, once each, after those that share a handle', () => {
    const shared = suggestMerges([
      { contactId: 'a', matchKey: 'tel:+51987654321' },
      { contactId: 'b', matchKey: 'tel:+51987654321' },
    ]);
    const all = withChatLinks(shared, [
      { contactId: 'b', otherContactId: 'a', kind: 'phone', value: '+51987654321' },
      { contactId: 'v', otherContactId: 'a', kind: 'email', value: 'ana@example.com' },
      { contactId: 'v', otherContactId: 'a', kind: 'phone', value: '+51987654321' },
    ]);
    expect(all.map((s) => s.contactIds)).toEqual([
      ['a', 'b'],
      ['a', 'v'],
    ]);
    expect(all[0]!.leftInChat).toBeUndefined();
    expect(all[1]).toEqual({ contactIds: ['a', 'v'], reason: 'One of them left the email address ana@example.com in the web chat, and the other has it.', leftInChat: { kind: 'email', value: 'ana@example.com' } });
  });
});
