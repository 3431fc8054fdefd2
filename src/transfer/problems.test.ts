import { describe, expect, it } from 'vitest';
import { IMPORT_PROBLEM_CODES, type ImportProblem, type ImportProblemCode, importProblemText, worded } from './problems.js';

// One sample per code, with the English sentence the import wrote before it kept codes (the CLI and the API's users
// read these): the wording must not change.
const SAMPLES: { [C in ImportProblemCode]: [Extract<ImportProblem, { code: C }>['facts'], string] } = {
  consent_unclear: [{ value: 'tal vez' }, "consent 'tal vez' is neither yes nor no (write yes/no, sí/no, true/false or 1/0, or leave it empty)"],
  too_many_handles: [{ count: 51, limit: 50 }, 'has 51 phones, emails and handles; at most 50 are kept per contact'],
  name_too_long: [{ length: 230, limit: 200 }, 'name is 230 characters long; at most 200 are kept'],
  tag_too_long: [{ tag: 'cliente-de-toda-la-vida', limit: 20 }, "tag 'cliente-de-toda-la-vida' is longer than 20 characters"],
  too_many_tags: [{ count: 60, limit: 50 }, 'has 60 tags; at most 50 are kept per contact'],
  bad_time_zone: [{ value: 'Lima' }, "time zone 'Lima' is not an IANA time zone such as America/Lima"],
  bad_language: [{ value: 'castellano del Perú, por favor' }, "language 'castellano del Perú, por favor' is not a language code such as es or en"],
  no_way_to_reach: [{}, 'has no phone, email or other way to reach the person; a contact needs at least one'],
  phone_mangled: [
    { field: 'whatsapp', value: '5.19877E+10' },
    "WhatsApp number '5.19877E+10' was turned into a number by the spreadsheet and lost its digits; format the column as text and export again",
  ],
  phone_invalid: [
    { field: 'phone', value: '12ab', region: 'PE' },
    "phone '12ab' is not a phone number for PE (write it with its country code, e.g. +51 987 654 321, if it is from elsewhere)",
  ],
  email_invalid: [{ value: 'ana@' }, "email 'ana@' is not an email address (write it as name@example.com)"],
  telegram_username: [
    { value: 'ana_shop' },
    `Telegram id 'ana_shop' is not a number: a bot can write to a person only by the id Telegram gives it (e.g. 123456789), not by a username; map the column to "ignore", and Lifeline adds the id when the customer first writes to your bot`,
  ],
  handle_invalid: [{ field: 'viber', value: 'a b' }, "Viber id 'a b' is not valid: it must be 1-200 characters without spaces"],
  extra_values: [{ values: 8, columns: 6, separator: ';' }, 'has 8 values but the header names 6 columns; a value that contains the separator (";") must be in double quotes'],
  card_unreadable: [{ error: 'invalid line' }, 'could not be read (invalid line); export it again from the address book'],
  no_vcard: [{}, 'The file holds no vCard: each contact must start with BEGIN:VCARD and end with END:VCARD.'],
  matches_several_contacts: [
    {
      label: 'row',
      rows: [2, 3],
      contacts: [
        { id: 'c1', name: 'Ana', handles: [{ kind: 'phone', value: '+51987654321' }] },
        { id: 'c2', name: null, handles: [{ kind: 'email', value: 'ana@x.pe' }, { kind: 'whatsapp', value: '+51912345678' }] },
      ],
    },
    'this person matches 2 existing contacts (rows 2, 3 are the same person): phone +51987654321 belongs to contact c1 (Ana); ' +
      'email ana@x.pe and whatsapp +51912345678 belong to contact c2. Merge those contacts first (POST /api/v1/contacts/c1/merge), or correct the row.',
  ],
  same_person_nothing_new: [{ label: 'card', sameAsRow: 2 }, 'same person as card 2, nothing new'],
  same_person_merged: [{ label: 'row', sameAsRow: 2 }, 'same person as row 2; merged into one contact'],
  already_has_all: [{ contactId: 'c1', contactName: 'Ana' }, 'contact c1 already has all of this'],
  updates_contact: [{ contactId: 'c1', contactName: 'Rosa Pérez', shared: [{ kind: 'phone', value: '+51987111222' }] }, 'adds to Rosa Pérez (contact c1), who already has phone +51987111222'],
  several_problems: [
    {
      problems: [
        { code: 'phone_invalid', facts: { field: 'phone', value: '12ab', region: null } },
        { code: 'email_invalid', facts: { value: 'ana@' } },
      ],
    },
    "phone '12ab' is not a phone number (write it with its country code, e.g. +51 987 654 321, or set the workspace's default country); email 'ana@' is not an email address (write it as name@example.com)",
  ],
};

describe('importProblemText', () => {
  it('words every code as the import always has', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...IMPORT_PROBLEM_CODES].sort());
    for (const code of IMPORT_PROBLEM_CODES) {
      const [facts, sentence] = SAMPLES[code];
      expect(importProblemText({ code, facts } as ImportProblem), code).toBe(sentence);
    }
  });

  it('names a tab separator in words, and the row or card before a problem of one row', () => {
    expect(importProblemText({ code: 'extra_values', facts: { values: 3, columns: 2, separator: '\t' } })).toMatch(/the separator \(tab\) must/);
    expect(worded({ code: 'email_invalid', facts: { value: 'x' } }, { label: 'card', row: 3 })).toEqual({
      code: 'email_invalid',
      facts: { value: 'x' },
      message: "card 3: email 'x' is not an email address (write it as name@example.com)",
    });
    expect(worded({ code: 'same_person_merged', facts: { label: 'row', sameAsRow: 4 } }).message).toBe('same person as row 4; merged into one contact');
  });
});
