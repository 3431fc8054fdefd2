// Deciding what an import does, without touching the database: rows that share a phone number or email (across
// kinds: a WhatsApp number is the same person as that phone) are one person; a person already in the workspace gains
// the new handles, tags and empty fields, and nothing is duplicated. A person who would join two existing contacts is
// refused with a reason: merging existing contacts is the owner's call, made on purpose (POST /contacts/:id/merge).
import { type IdentityKind, identityMatchKey } from '../core/identity.js';
import { type ImportProblem, type MatchedContact, type RowLabel, type WordedProblem, worded } from './problems.js';
import type { ImportIdentity, ImportRecord, RowError } from './records.js';

/** A contact already in the workspace, as far as an import can change it. */
export interface ExistingContact {
  id: string;
  name: string | null;
  address: Record<string, string> | null;
  language: string | null;
  timezone: string | null;
  identities: { kind: string; value: string }[];
  tags: string[];
}

export interface ExistingContacts {
  /** Identity match key → ids of the contacts holding an identity with it. */
  byMatchKey: ReadonlyMap<string, readonly string[]>;
  contacts: ReadonlyMap<string, ExistingContact>;
}

export interface ContactFields {
  name: string | null;
  address: Record<string, string> | null;
  language: string | null;
  timezone: string | null;
}

export interface PlannedCreate extends ContactFields {
  rows: number[];
  identities: ImportIdentity[];
  tags: string[];
}

export interface PlannedUpdate {
  contactId: string;
  rows: number[];
  /** Only the fields that were empty and are now filled. */
  fields: Partial<ContactFields>;
  addIdentities: ImportIdentity[];
  addTags: string[];
  /** The contact's name and every handle value after the import: its search text. */
  finalName: string | null;
  finalValues: string[];
}

export type RowAction = 'create' | 'update' | 'merge' | 'skip' | 'error';

/** A row's outcome without a note. */
export type NoNote = { message: null; code: null; facts: null };

export type RowOutcome = {
  row: number;
  action: RowAction;
  /** The existing contact the row updates or repeats; null for new contacts. */
  contactId: string | null;
  /** For rows folded into another row of the file: that row. */
  sameAsRow: number | null;
  /** Why a row is skipped, or what is wrong with it (`message`, in English, with its code and facts), or nothing. */
} & (WordedProblem | NoNote);

const NO_NOTE: NoNote = { message: null, code: null, facts: null };
const note = (problem: ImportProblem): WordedProblem => worded(problem);

export interface ImportPlan {
  creates: PlannedCreate[];
  /** Existing contacts that gain something. */
  updates: PlannedUpdate[];
  outcomes: Map<number, RowOutcome>;
  errors: RowError[];
}

/** Groups records that share a match key, transitively (row 2 and 5 share a phone, 5 and 9 an email: one person). */
export function groupRecords(records: readonly ImportRecord[]): ImportRecord[][] {
  const parent = records.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  records.forEach((record, i) => {
    for (const identity of record.identities) {
      const key = identityMatchKey(identity.kind, identity.value);
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, ImportRecord[]>();
  records.forEach((record, i) => {
    const root = find(i);
    const group = groups.get(root) ?? [];
    group.push(record);
    groups.set(root, group);
  });
  return [...groups.values()].map((group) => group.sort((a, b) => a.row - b.row)).sort((a, b) => a[0]!.row - b[0]!.row);
}

export function matchKeysOf(records: readonly ImportRecord[]): string[] {
  return [...new Set(records.flatMap((r) => r.identities.map((i) => identityMatchKey(i.kind, i.value))))];
}

interface Draft extends ContactFields {
  identities: ImportIdentity[];
  identityKeys: Set<string>;
  tags: Set<string>;
}

export function planImport(records: readonly ImportRecord[], existing: ExistingContacts, label: RowLabel = 'row'): ImportPlan {
  const plan: ImportPlan = { creates: [], updates: [], outcomes: new Map(), errors: [] };
  for (const group of groupRecords(records)) {
    const matched = [...new Set(matchKeysOf(group).flatMap((key) => existing.byMatchKey.get(key) ?? []))];
    if (matched.length > 1) {
      refuseGroup(plan, group, matched, existing, label);
      continue;
    }
    const current = matched[0] ? existing.contacts.get(matched[0]) : undefined;
    if (current) planUpdate(plan, group, current, label);
    else planCreate(plan, group, label);
  }
  return plan;
}

function draftOf(contact: ExistingContact | null): Draft {
  return {
    name: contact?.name ?? null,
    address: contact?.address ?? null,
    language: contact?.language ?? null,
    timezone: contact?.timezone ?? null,
    identities: [],
    identityKeys: new Set(contact?.identities.map((i) => `${i.kind}:${i.value}`) ?? []),
    tags: new Set(contact?.tags ?? []),
  };
}

/** Folds a record into the draft; returns what it added. Fields fill only where the draft has none. */
function absorb(draft: Draft, record: ImportRecord): { fields: Partial<ContactFields>; identities: ImportIdentity[]; tags: string[] } {
  const fields: Partial<ContactFields> = {};
  if (!draft.name?.trim() && record.name) draft.name = fields.name = record.name;
  if ((!draft.address || Object.keys(draft.address).length === 0) && record.address) draft.address = fields.address = record.address;
  if (!draft.language && record.language) draft.language = fields.language = record.language;
  if (!draft.timezone && record.timezone) draft.timezone = fields.timezone = record.timezone;
  const identities = record.identities.filter((i) => {
    const key = `${i.kind}:${i.value}`;
    if (draft.identityKeys.has(key)) return false;
    draft.identityKeys.add(key);
    draft.identities.push(i);
    return true;
  });
  const tags = record.tags.filter((t) => {
    if (draft.tags.has(t)) return false;
    draft.tags.add(t);
    return true;
  });
  return { fields, identities, tags };
}

const addsNothing = (added: ReturnType<typeof absorb>) =>
  Object.keys(added.fields).length === 0 && added.identities.length === 0 && added.tags.length === 0;

function planCreate(plan: ImportPlan, group: ImportRecord[], label: RowLabel): void {
  const draft = draftOf(null);
  const firstRow = group[0]!.row;
  for (const record of group) {
    const added = absorb(draft, record);
    if (record.row === firstRow) {
      plan.outcomes.set(record.row, { row: record.row, action: 'create', contactId: null, sameAsRow: null, ...NO_NOTE });
    } else {
      const code = addsNothing(added) ? 'same_person_nothing_new' : 'same_person_merged';
      plan.outcomes.set(record.row, {
        row: record.row,
        action: addsNothing(added) ? 'skip' : 'merge',
        contactId: null,
        sameAsRow: firstRow,
        ...note({ code, facts: { label, sameAsRow: firstRow } }),
      });
    }
  }
  plan.creates.push({
    rows: group.map((r) => r.row),
    name: draft.name,
    address: draft.address,
    language: draft.language,
    timezone: draft.timezone,
    identities: draft.identities,
    tags: [...draft.tags],
  });
}

/** The handles of a row the existing contact already has: how the row was matched to them. */
function sharedHandles(contact: ExistingContact, record: ImportRecord): { kind: string; value: string }[] {
  const theirs = new Set(contact.identities.map((i) => identityMatchKey(i.kind as IdentityKind, i.value)));
  return record.identities.filter((i) => theirs.has(identityMatchKey(i.kind, i.value))).map((i) => ({ kind: i.kind, value: i.value }));
}

/**
 * Rows that are an existing customer: the first row of the group updates them (or is skipped when the group brings
 * nothing new); later rows of the group are merged into it, as for a new person, so every row counts once.
 */
function planUpdate(plan: ImportPlan, group: ImportRecord[], contact: ExistingContact, label: RowLabel): void {
  const draft = draftOf(contact);
  const update: PlannedUpdate = { contactId: contact.id, rows: [], fields: {}, addIdentities: [], addTags: [], finalName: null, finalValues: [] };
  const addsByRow = group.map((record) => {
    const added = absorb(draft, record);
    update.rows.push(record.row);
    Object.assign(update.fields, added.fields);
    update.addIdentities.push(...added.identities);
    update.addTags.push(...added.tags);
    return { record, nothing: addsNothing(added) };
  });
  const updates = Object.keys(update.fields).length > 0 || update.addIdentities.length > 0 || update.addTags.length > 0;
  const [first, ...later] = addsByRow;
  plan.outcomes.set(first!.record.row, {
    row: first!.record.row,
    action: updates ? 'update' : 'skip',
    contactId: contact.id,
    sameAsRow: null,
    ...note(
      updates
        ? { code: 'updates_contact', facts: { contactId: contact.id, contactName: contact.name, shared: sharedHandles(contact, first!.record) } }
        : { code: 'already_has_all', facts: { contactId: contact.id, contactName: contact.name } },
    ),
  });
  const firstRow = first!.record.row;
  for (const { record, nothing } of later) {
    plan.outcomes.set(record.row, {
      row: record.row,
      action: nothing ? 'skip' : 'merge',
      contactId: contact.id,
      sameAsRow: firstRow,
      ...note({ code: nothing ? 'same_person_nothing_new' : 'same_person_merged', facts: { label, sameAsRow: firstRow } }),
    });
  }
  if (!updates) return;
  update.finalName = draft.name;
  update.finalValues = [...contact.identities.map((i) => i.value), ...update.addIdentities.map((i) => i.value)];
  plan.updates.push(update);
}

function refuseGroup(plan: ImportPlan, group: ImportRecord[], contactIds: string[], existing: ExistingContacts, label: RowLabel): void {
  const contacts = contactIds.map((id): MatchedContact => {
    const seen = new Set<string>();
    const handles = group
      .flatMap((r) => r.identities)
      .filter((i) => (existing.byMatchKey.get(identityMatchKey(i.kind, i.value)) ?? []).includes(id))
      .filter((i) => !seen.has(`${i.kind} ${i.value}`) && seen.add(`${i.kind} ${i.value}`))
      .map((i) => ({ kind: i.kind, value: i.value }));
    return { id, name: existing.contacts.get(id)?.name ?? null, handles };
  });
  const rows = group.map((r) => r.row);
  for (const record of group) {
    const error = worded({ code: 'matches_several_contacts', facts: { label, rows, contacts } }, { label, row: record.row });
    plan.errors.push({ row: record.row, ...error });
    plan.outcomes.set(record.row, { row: record.row, action: 'error', contactId: null, sameAsRow: null, ...error });
  }
}
