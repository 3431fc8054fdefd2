// What an import says about a row (or card): each problem, and each note on a preview row, is kept as a code with the
// facts it quotes. The server words it in English (the API's `message`, the CLI); the Spanish inbox words it again from
// the code and facts (web/src/features/transfer/problems.ts). The English wording lives only here, so the sentence and
// its facts cannot drift. No I/O.

/** The columns that hold a way to reach the person. */
export type HandleField = 'phone' | 'email' | 'whatsapp' | 'telegram' | 'viber' | 'messenger' | 'instagram';

/** How rows are named: "row 7" in a CSV (as a spreadsheet counts), "card 3" in a vCard file. */
export type RowLabel = 'row' | 'card';

/** An existing contact that holds some of a row's handles (kind as the identity's kind: phone, email, whatsapp…). */
export interface MatchedContact {
  id: string;
  name: string | null;
  handles: { kind: string; value: string }[];
}

export type ImportProblem =
  /** The consent column says something that is neither yes nor no. */
  | { code: 'consent_unclear'; facts: { value: string } }
  | { code: 'too_many_handles'; facts: { count: number; limit: number } }
  | { code: 'name_too_long'; facts: { length: number; limit: number } }
  | { code: 'tag_too_long'; facts: { tag: string; limit: number } }
  | { code: 'too_many_tags'; facts: { count: number; limit: number } }
  | { code: 'bad_time_zone'; facts: { value: string } }
  | { code: 'bad_language'; facts: { value: string } }
  | { code: 'no_way_to_reach'; facts: Record<string, never> }
  /** A phone that a spreadsheet wrote as 5.19877E+10. */
  | { code: 'phone_mangled'; facts: { field: 'phone' | 'whatsapp'; value: string } }
  /** Not a phone number in the workspace's default region (null: the workspace has none). */
  | { code: 'phone_invalid'; facts: { field: 'phone' | 'whatsapp'; value: string; region: string | null } }
  | { code: 'email_invalid'; facts: { value: string } }
  /** A Telegram username where a numeric user id is needed. */
  | { code: 'telegram_username'; facts: { value: string } }
  | { code: 'handle_invalid'; facts: { field: HandleField; value: string } }
  /** A CSV row with more values than the header has columns; separator as the file uses it ("\t" for a tab). */
  | { code: 'extra_values'; facts: { values: number; columns: number; separator: string } }
  | { code: 'card_unreadable'; facts: { error: string } }
  | { code: 'no_vcard'; facts: Record<string, never> }
  /** The person's handles belong to several existing contacts; rows: the rows of the file that are this person. */
  | { code: 'matches_several_contacts'; facts: { label: RowLabel; rows: number[]; contacts: MatchedContact[] } }
  /** Preview notes: a repeat of an earlier row of the file, with or without something new. */
  | { code: 'same_person_nothing_new'; facts: { label: RowLabel; sameAsRow: number } }
  | { code: 'same_person_merged'; facts: { label: RowLabel; sameAsRow: number } }
  | { code: 'already_has_all'; facts: { contactId: string; contactName: string | null } }
  /** A row that adds to an existing customer, found by the handles they share (the row's own name may differ). */
  | { code: 'updates_contact'; facts: { contactId: string; contactName: string | null; shared: { kind: string; value: string }[] } }
  /** A preview row with more than one problem: each of them, in order. */
  | { code: 'several_problems'; facts: { problems: SingleProblem[] } };

export type ImportProblemCode = ImportProblem['code'];
export type SingleProblem = Exclude<ImportProblem, { code: 'several_problems' }>;

export const IMPORT_PROBLEM_CODES = [
  'consent_unclear',
  'too_many_handles',
  'name_too_long',
  'tag_too_long',
  'too_many_tags',
  'bad_time_zone',
  'bad_language',
  'no_way_to_reach',
  'phone_mangled',
  'phone_invalid',
  'email_invalid',
  'telegram_username',
  'handle_invalid',
  'extra_values',
  'card_unreadable',
  'no_vcard',
  'matches_several_contacts',
  'same_person_nothing_new',
  'same_person_merged',
  'already_has_all',
  'updates_contact',
  'several_problems',
] as const satisfies readonly ImportProblemCode[];

/** A problem (or note) with its English sentence. */
export type WordedProblem = { message: string } & ImportProblem;

export const HANDLE_LABELS: Record<HandleField, string> = {
  phone: 'phone',
  email: 'email',
  whatsapp: 'WhatsApp number',
  telegram: 'Telegram id',
  viber: 'Viber id',
  messenger: 'Messenger id',
  instagram: 'Instagram id',
};

function ownerText(contact: MatchedContact): string {
  const handles = contact.handles.map((h) => `${h.kind} ${h.value}`);
  return `${handles.join(' and ')} belong${handles.length === 1 ? 's' : ''} to contact ${contact.id}${contact.name ? ` (${contact.name})` : ''}`;
}

/** The problem in English, without the "row 7: " that names the row. */
export function importProblemText(problem: ImportProblem): string {
  switch (problem.code) {
    case 'consent_unclear':
      return `consent '${problem.facts.value}' is neither yes nor no (write yes/no, sí/no, true/false or 1/0, or leave it empty)`;
    case 'too_many_handles':
      return `has ${problem.facts.count} phones, emails and handles; at most ${problem.facts.limit} are kept per contact`;
    case 'name_too_long':
      return `name is ${problem.facts.length} characters long; at most ${problem.facts.limit} are kept`;
    case 'tag_too_long':
      return `tag '${problem.facts.tag}' is longer than ${problem.facts.limit} characters`;
    case 'too_many_tags':
      return `has ${problem.facts.count} tags; at most ${problem.facts.limit} are kept per contact`;
    case 'bad_time_zone':
      return `time zone '${problem.facts.value}' is not an IANA time zone such as America/Lima`;
    case 'bad_language':
      return `language '${problem.facts.value}' is not a language code such as es or en`;
    case 'no_way_to_reach':
      return 'has no phone, email or other way to reach the person; a contact needs at least one';
    case 'phone_mangled':
      return `${HANDLE_LABELS[problem.facts.field]} '${problem.facts.value}' was turned into a number by the spreadsheet and lost its digits; format the column as text and export again`;
    case 'phone_invalid': {
      const { field, value, region } = problem.facts;
      return region
        ? `${HANDLE_LABELS[field]} '${value}' is not a phone number for ${region} (write it with its country code, e.g. +51 987 654 321, if it is from elsewhere)`
        : `${HANDLE_LABELS[field]} '${value}' is not a phone number (write it with its country code, e.g. +51 987 654 321, or set the workspace's default country)`;
    }
    case 'email_invalid':
      return `email '${problem.facts.value}' is not an email address (write it as name@example.com)`;
    case 'telegram_username':
      return `Telegram id '${problem.facts.value}' is not a number: a bot can write to a person only by the id Telegram gives it (e.g. 123456789), not by a username; map the column to "ignore", and Lifeline adds the id when the customer first writes to your bot`;
    case 'handle_invalid':
      return `${HANDLE_LABELS[problem.facts.field]} '${problem.facts.value}' is not valid: it must be 1-200 characters without spaces`;
    case 'extra_values': {
      const { values, columns, separator } = problem.facts;
      return `has ${values} values but the header names ${columns} columns; a value that contains the separator (${separator === '\t' ? 'tab' : `"${separator}"`}) must be in double quotes`;
    }
    case 'card_unreadable':
      return `could not be read (${problem.facts.error}); export it again from the address book`;
    case 'no_vcard':
      return 'The file holds no vCard: each contact must start with BEGIN:VCARD and end with END:VCARD.';
    case 'matches_several_contacts': {
      const { label, rows, contacts } = problem.facts;
      const together = rows.length > 1 ? ` (${label}s ${rows.join(', ')} are the same person)` : '';
      return (
        `this person matches ${contacts.length} existing contacts${together}: ${contacts.map(ownerText).join('; ')}. ` +
        `Merge those contacts first (POST /api/v1/contacts/${contacts[0]?.id ?? ''}/merge), or correct the row.`
      );
    }
    case 'same_person_nothing_new':
      return `same person as ${problem.facts.label} ${problem.facts.sameAsRow}, nothing new`;
    case 'same_person_merged':
      return `same person as ${problem.facts.label} ${problem.facts.sameAsRow}; merged into one contact`;
    case 'already_has_all':
      return `contact ${problem.facts.contactId} already has all of this`;
    case 'updates_contact': {
      const { contactId, contactName, shared } = problem.facts;
      return `adds to ${contactName ? `${contactName} (contact ${contactId})` : `contact ${contactId}`}, who already has ${shared.map((h) => `${h.kind} ${h.value}`).join(' and ')}`;
    }
    case 'several_problems':
      return problem.facts.problems.map(importProblemText).join('; ');
  }
}

/**
 * The problem with its English sentence; `at` names the row ("row 7: …", "card 3: …") for problems of one row, and is
 * left out for notes about the file as a whole and for preview notes (the preview names the row itself).
 */
export function worded<P extends ImportProblem>(problem: P, at?: { label: RowLabel; row: number }): { message: string } & P {
  const text = importProblemText(problem);
  return { ...problem, message: at ? `${at.label} ${at.row}: ${text}` : text };
}
