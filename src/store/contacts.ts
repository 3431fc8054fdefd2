// Contacts and their identities (every way to reach a person), tags and merges, always within one workspace.
import { foldForSearch } from '../core/search-fold.js';
import { type Kysely, SqliteAdapter, sql } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import {
  type IdentityKind,
  InvalidIdentityError,
  identityMatchKey,
  normalizeIdentity,
} from '../core/identity.js';
import { type MergeSuggestion, mergeContactFields, suggestMerges, withChatLinks } from '../core/merge.js';
import { badRequest, conflict, LifelineError, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import { PreparedQuery, type QueryTarget } from './prepared.js';
import type { AuditLogTable, ContactIdentityTable, ContactTable, Database } from './schema.js';

export type Consent = 'granted' | 'revoked' | 'unknown';

export interface Identity {
  id: string;
  kind: IdentityKind;
  value: string;
  consent: Consent;
  consentSource: string | null;
  consentAt: number | null;
}

export interface Contact {
  id: string;
  name: string | null;
  identities: Identity[];
  tags: string[];
  address: Record<string, string> | null;
  preferredChannels: string[];
  timezone: string | null;
  language: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface IdentityInput {
  kind: IdentityKind;
  value: string;
  consent?: Consent;
  consentSource?: string;
}

export interface ContactInput {
  name?: string | null;
  phones?: string[];
  emails?: string[];
  identities?: IdentityInput[];
  tags?: string[];
  address?: Record<string, string> | null;
  preferredChannels?: string[];
  timezone?: string | null;
  language?: string | null;
}

export interface ContactPatch {
  name?: string | null;
  tags?: string[];
  address?: Record<string, string> | null;
  preferredChannels?: string[];
  timezone?: string | null;
  language?: string | null;
}

export interface ContactQuery {
  query?: string;
  tag?: string;
  cursor?: string;
  limit?: number;
}

export interface ContactSearchMatch {
  /** LIKE patterns for `contacts.search_text`, escaped with '\\': one per word typed, each must match. */
  likes: string[];
  /** The only contacts that can match (from the SQLite trigram index), or null when every contact must be checked. */
  ids: string[] | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Above this many matches a search scans newest-first instead of using the trigram index. */
const INDEXED_MATCH_LIMIT = 2000;

/** Digits, spaces and phone punctuation: the search box is given a phone number. */
const PHONE_QUERY = /^\+?[\d\s().-]{4,}$/;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}


/** Why a message to a contact deleted before it went out was not sent. */
export const DELETED_CONTACT = 'Not sent: the contact was deleted before the message went out.';
export class ContactStore {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
    private readonly defaultRegion: string | null,
  ) {
    this.audit = new AuditLog(db, workspaceId);
  }

  /** Normalises every handle first, so nothing is written when one of them is invalid. */
  normalize(input: ContactInput): IdentityInput[] {
    const wanted: IdentityInput[] = [
      ...(input.phones ?? []).map((value) => ({ kind: 'phone' as const, value })),
      ...(input.emails ?? []).map((value) => ({ kind: 'email' as const, value })),
      ...(input.identities ?? []),
    ];
    const seen = new Set<string>();
    const result: IdentityInput[] = [];
    const invalid: { kind: string; value: string; message: string }[] = [];
    for (const identity of wanted) {
      try {
        const value = normalizeIdentity(identity.kind, identity.value, this.defaultRegion ?? undefined);
        const key = `${identity.kind}:${value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        result.push({ ...identity, value });
      } catch (error) {
        if (!(error instanceof InvalidIdentityError)) throw error;
        invalid.push({ kind: identity.kind, value: identity.value, message: error.message });
      }
    }
    if (invalid.length > 0) {
      const code = invalid[0]!.kind === 'phone' || invalid[0]!.kind === 'whatsapp' ? 'invalid_phone' : 'invalid_identity';
      throw badRequest(code, invalid.map((i) => i.message).join(' '), { invalid });
    }
    return result;
  }

  async create(input: ContactInput, actor: string): Promise<Contact> {
    const identities = this.normalize(input);
    const id = newId();
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      const store = new ContactStore(trx, this.workspaceId, this.defaultRegion);
      await store.assertIdentitiesFree(identities);
      await trx
        .insertInto('contacts')
        .values({
          id,
          workspace_id: this.workspaceId,
          name: input.name?.trim() || null,
          search_text: '',
          address: input.address ? toJson(input.address) : null,
          preferred_channels: toJson(input.preferredChannels ?? []),
          timezone: input.timezone ?? null,
          language: input.language ?? null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (const identity of identities) await store.insertIdentity(id, identity, now);
      if (input.tags) await store.setTags(id, input.tags);
      await store.refreshSearchText(id);
      await store.audit.record(actor, 'contact.created', { type: 'contact', id });
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Contact | null> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    const [contact] = await this.hydrate([row]);
    return contact ?? null;
  }

  async require(id: string): Promise<Contact> {
    const contact = await this.get(id);
    if (!contact) throw await this.missing(id);
    return contact;
  }

  /**
   * The error for a contact id that is not there: plain not found, or, for a contact merged into another, where it
   * went (`details.mergedInto`), so that a system that stored the old id can move to the new one.
   */
  async missing(id: string): Promise<LifelineError> {
    const into = await this.mergedInto(id);
    if (!into) return notFound('contact', id);
    return new LifelineError('not_found', 404, `Contact ${id} was merged into contact ${into}: use that id from now on.`, { mergedInto: into });
  }

  /** The contact this id was merged into, following merges of merges, if it still exists. Read on the 404 path only. */
  private async mergedInto(id: string): Promise<string | null> {
    let current = id;
    for (let hop = 0; hop < 5; hop++) {
      const merge = await this.db
        .selectFrom('audit_log')
        .select('target_id')
        .where('workspace_id', '=', this.workspaceId)
        .where('action', '=', 'contact.merged')
        .where(sql<boolean>`details like ${`%"mergedContactId":"${escapeLike(current)}"%`} escape '\\'`)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!merge?.target_id) return null;
      current = merge.target_id;
      if (await this.get(current)) return current;
    }
    return null;
  }

  async list(query: ContactQuery): Promise<Page<Contact>> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    let q = this.db.selectFrom('contacts').selectAll().where('workspace_id', '=', this.workspaceId);
    if (query.query?.trim()) {
      const match = await this.searchMatch(query.query);
      if (!match) return { items: [], nextCursor: null };
      if (match.ids) q = q.where('id', 'in', match.ids);
      for (const like of match.likes) q = q.where(sql<boolean>`search_text like ${like} escape '\\'`);
    }
    if (query.tag) {
      // The tag's id as a constant lets PostgreSQL use the statistics of contact_tags.tag_id: a rare tag is then read
      // from contact_tags_tag instead of probing every contact in created_at order.
      const tag = await this.db
        .selectFrom('tags')
        .select('id')
        .where('workspace_id', '=', this.workspaceId)
        .where('name', '=', query.tag.trim().toLowerCase())
        .executeTakeFirst();
      if (!tag) return { items: [], nextCursor: null };
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('contact_tags')
            .select('contact_tags.tag_id')
            .whereRef('contact_tags.contact_id', '=', 'contacts.id')
            .where('contact_tags.tag_id', '=', tag.id),
        ),
      );
    }
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      if (!position) throw badRequest('invalid_cursor', 'The cursor is not valid: pass the nextCursor of a previous page.');
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(position.at, position.id)));
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.hydrate(page),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.created_at, id: last.id }) : null,
    };
  }

  /**
   * What the search box matches: contacts whose `search_text` holds every word typed, in any order, without regard
   * to case or accents; and on SQLite, when the trigram index can tell, the only ids that can match. Null when no
   * contact can match. Shared by the contact list and the inbox's conversation search, so both find the same people.
   */
  async searchMatch(query: string): Promise<ContactSearchMatch | null> {
    const text = foldForSearch(query.trim());
    // A phone number is one word however it is spaced.
    const needles = PHONE_QUERY.test(text) ? [text.replace(/[\s().-]/g, '')] : [...new Set(text.split(/\s+/))];
    let ids: string[] | null = null;
    for (const needle of needles) {
      const found = await this.indexedMatches(needle);
      if (found === null) continue;
      ids = ids === null ? found : intersect(ids, found);
      if (ids.length === 0) return null;
    }
    return { likes: needles.map((needle) => `%${escapeLike(needle)}%`), ids };
  }

  /**
   * On SQLite, the ids of contacts whose search text contains `needle`, read from the trigram index (migration
   * 0005); null when the index cannot help: short or wildcard needles, and fragments so common that scanning the
   * newest contacts fills a page sooner than sorting thousands of matches.
   */
  private async indexedMatches(needle: string): Promise<string[] | null> {
    if (!(this.db.getExecutor().adapter instanceof SqliteAdapter) || needle.length < 3 || /[\\%_]/.test(needle)) return null;
    const { rows } = await sql<{ contact_id: string }>`
      select contact_id from contact_search where search_text like ${`%${needle}%`} limit ${INDEXED_MATCH_LIMIT + 1}`.execute(this.db);
    return rows.length > INDEXED_MATCH_LIMIT ? null : rows.map((r) => r.contact_id);
  }

  async update(id: string, patch: ContactPatch, actor: string): Promise<Contact> {
    await this.require(id);
    await this.db.transaction().execute((trx) => this.updateIn(trx, id, patch, actor));
    return this.require(id);
  }

  /** update's writes within the caller's transaction (the inbound path applies a batch of events in one). */
  async updateIn(trx: Kysely<Database>, id: string, patch: ContactPatch, actor: string): Promise<void> {
    const store = new ContactStore(trx, this.workspaceId, this.defaultRegion);
    const values: Partial<ContactTable> = { updated_at: Date.now() };
    if (patch.name !== undefined) values.name = patch.name?.trim() || null;
    if (patch.address !== undefined) values.address = patch.address ? toJson(patch.address) : null;
    if (patch.preferredChannels !== undefined) values.preferred_channels = toJson(patch.preferredChannels);
    if (patch.timezone !== undefined) values.timezone = patch.timezone;
    if (patch.language !== undefined) values.language = patch.language;
    await trx.updateTable('contacts').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
    if (patch.tags) await store.setTags(id, patch.tags);
    await store.refreshSearchText(id);
    await store.audit.record(actor, 'contact.updated', { type: 'contact', id }, { fields: Object.keys(patch) });
  }

  async delete(id: string, actor: string): Promise<void> {
    await this.require(id);
    await this.db.transaction().execute(async (trx) => {
      // Messages still waiting (a scheduled one, quiet hours) fail now with the reason, rather than at their time
      // with none; one a provider is taking goes on. The delivery records stay, so GET /messages/{id} tells it.
      await trx
        .updateTable('deliveries')
        .set({ status: 'failed', explanation: DELETED_CONTACT, updated_at: Date.now() })
        .where('workspace_id', '=', this.workspaceId)
        .where('contact_id', '=', id)
        .where('status', '=', 'queued')
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('delivery_attempts as a').select('a.id').whereRef('a.message_id', '=', 'deliveries.message_id').where('a.status', '=', 'sending'))),
        )
        .execute();
      await trx.deleteFrom('contacts').where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
      await new AuditLog(trx, this.workspaceId).record(actor, 'contact.deleted', { type: 'contact', id });
    });
  }

  async addIdentity(contactId: string, input: IdentityInput, actor: string): Promise<Contact> {
    await this.require(contactId);
    const [identity] = this.normalize({ identities: [input] });
    await this.db.transaction().execute((trx) => this.addIdentityIn(trx, contactId, identity!, actor));
    return this.require(contactId);
  }

  /**
   * addIdentity's writes within the caller's transaction, for an identity already normalised; throws identity_taken
   * when another contact has it.
   */
  async addIdentityIn(trx: Kysely<Database>, contactId: string, identity: IdentityInput, actor: string): Promise<void> {
    const store = new ContactStore(trx, this.workspaceId, this.defaultRegion);
    await store.assertIdentitiesFree([identity], contactId);
    await store.insertIdentity(contactId, identity, Date.now());
    await store.refreshSearchText(contactId);
    await store.audit.record(actor, 'contact.identity_added', { type: 'contact', id: contactId }, { kind: identity.kind });
  }

  async removeIdentity(contactId: string, identityId: string, actor: string): Promise<Contact> {
    await this.require(contactId);
    await this.db.transaction().execute(async (trx) => {
      const store = new ContactStore(trx, this.workspaceId, this.defaultRegion);
      const deleted = await trx
        .deleteFrom('contact_identities')
        .where('workspace_id', '=', this.workspaceId)
        .where('contact_id', '=', contactId)
        .where('id', '=', identityId)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw notFound('identity', identityId);
      await store.refreshSearchText(contactId);
      await store.audit.record(actor, 'contact.identity_removed', { type: 'contact', id: contactId });
    });
    return this.require(contactId);
  }

  async setConsent(contactId: string, identityId: string, consent: Consent, source: string, actor: string): Promise<Contact> {
    const updated = await this.db
      .updateTable('contact_identities')
      .set({ consent, consent_source: source, consent_at: Date.now() })
      .where('workspace_id', '=', this.workspaceId)
      .where('contact_id', '=', contactId)
      .where('id', '=', identityId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw notFound('identity', identityId);
    await this.audit.record(actor, 'contact.consent_changed', { type: 'contact', id: contactId }, { identityId, consent, source });
    return this.require(contactId);
  }

  /** Finds the contact a handle belongs to, across kinds that share a phone number or email. */
  async findByIdentity(kind: IdentityKind, rawValue: string): Promise<Contact | null> {
    const value = normalizeIdentity(kind, rawValue, this.defaultRegion ?? undefined);
    const row = await this.db
      .selectFrom('contact_identities')
      .select('contact_id')
      .where('workspace_id', '=', this.workspaceId)
      .where('match_key', '=', identityMatchKey(kind, value))
      .orderBy('created_at')
      .executeTakeFirst();
    return row ? this.get(row.contact_id) : null;
  }

  /**
   * Folds `otherId` into `keepId`: identities, tags, conversations and messages move; the other contact is deleted.
   * One transaction, so a failure leaves both contacts as they were.
   */
  async merge(keepId: string, otherId: string, actor: string): Promise<Contact> {
    if (keepId === otherId) throw badRequest('invalid_merge', 'A contact cannot be merged with itself: pass the id of another contact as otherId.');
    const keep = await this.require(keepId);
    const other = await this.require(otherId);
    const merged = mergeContactFields(keep, other);
    await this.db.transaction().execute(async (trx) => {
      const ws = this.workspaceId;
      const store = new ContactStore(trx, ws, this.defaultRegion);
      await trx
        .updateTable('contact_identities')
        .set({ contact_id: keepId })
        .where('workspace_id', '=', ws)
        .where('contact_id', '=', otherId)
        .execute();
      await trx.updateTable('conversations').set({ contact_id: keepId }).where('workspace_id', '=', ws).where('contact_id', '=', otherId).execute();
      await trx.updateTable('messages').set({ contact_id: keepId }).where('workspace_id', '=', ws).where('contact_id', '=', otherId).execute();
      await store.setTags(keepId, [...new Set([...keep.tags, ...other.tags])]);
      await trx
        .updateTable('contacts')
        .set({
          name: merged.name,
          address: merged.address ? toJson(merged.address) : null,
          preferred_channels: toJson(merged.preferredChannels),
          timezone: merged.timezone,
          language: merged.language,
          created_at: merged.createdAt,
          updated_at: Date.now(),
        })
        .where('workspace_id', '=', ws)
        .where('id', '=', keepId)
        .execute();
      await trx.deleteFrom('contacts').where('workspace_id', '=', ws).where('id', '=', otherId).execute();
      await store.refreshSearchText(keepId);
      await store.audit.record(actor, 'contact.merged', { type: 'contact', id: keepId }, {
        mergedContactId: otherId,
        mergedName: other.name,
        movedIdentities: other.identities.map((i) => `${i.kind}:${i.value}`),
      });
    });
    return this.require(keepId);
  }

  /** Contacts that share a phone number or email with `contactId` (or, without it, any pair in the workspace). */
  async mergeSuggestions(contactId?: string): Promise<MergeSuggestion[]> {
    let q = this.db
      .selectFrom('contact_identities as a')
      .innerJoin('contact_identities as b', (join) =>
        join.onRef('a.match_key', '=', 'b.match_key').onRef('a.workspace_id', '=', 'b.workspace_id').onRef('a.contact_id', '<>', 'b.contact_id'),
      )
      .select(['a.contact_id as contactId', 'a.match_key as matchKey'])
      .where('a.workspace_id', '=', this.workspaceId);
    if (contactId) {
      q = q.where((eb) => eb.or([eb('a.contact_id', '=', contactId), eb('b.contact_id', '=', contactId)]));
    }
    const rows = await q.limit(1000).execute();
    let links = this.db
      .selectFrom('contact_links')
      .select(['contact_id as contactId', 'other_contact_id as otherContactId', 'kind', 'value'])
      .where('workspace_id', '=', this.workspaceId);
    if (contactId) links = links.where((eb) => eb.or([eb('contact_id', '=', contactId), eb('other_contact_id', '=', contactId)]));
    return withChatLinks(suggestMerges(rows), await links.orderBy('created_at').limit(1000).execute());
  }

  /** `contactId` left a handle that belongs to `otherContactId` (a web chat visitor): suggested for merging. */
  async linkLeftHandle(contactId: string, otherContactId: string, handle: { kind: string; value: string }): Promise<void> {
    await this.db
      .insertInto('contact_links')
      .values({ workspace_id: this.workspaceId, contact_id: contactId, other_contact_id: otherContactId, kind: handle.kind, value: handle.value, created_at: Date.now() })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** `adding`: the contact they are being added to, which may already have one of them (and is told so). */
  private async assertIdentitiesFree(identities: IdentityInput[], adding?: string): Promise<void> {
    for (const identity of identities) {
      const owner = await this.db
        .selectFrom('contact_identities as i')
        .innerJoin('contacts as c', 'c.id', 'i.contact_id')
        .select(['i.contact_id', 'c.name'])
        .where('i.workspace_id', '=', this.workspaceId)
        .where('i.kind', '=', identity.kind)
        .where('i.value', '=', identity.value)
        .executeTakeFirst();
      if (owner && owner.contact_id === adding) {
        throw conflict('identity_taken', `This contact already has the ${identity.kind} ${identity.value}: there is nothing to add.`, {
          kind: identity.kind,
          value: identity.value,
          contactId: owner.contact_id,
        });
      }
      if (owner) {
        throw conflict(
          'identity_taken',
          `The ${identity.kind} ${identity.value} already belongs to ${owner.name ? `${owner.name} (contact ${owner.contact_id})` : `contact ${owner.contact_id}`}. Add to that contact instead, or merge the two contacts.`,
          { kind: identity.kind, value: identity.value, contactId: owner.contact_id, contactName: owner.name },
        );
      }
    }
  }

  private async insertIdentity(contactId: string, identity: IdentityInput, now: number): Promise<void> {
    const consent = identity.consent ?? 'unknown';
    await this.db
      .insertInto('contact_identities')
      .values({
        id: newId(),
        workspace_id: this.workspaceId,
        contact_id: contactId,
        kind: identity.kind,
        value: identity.value,
        match_key: identityMatchKey(identity.kind, identity.value),
        consent,
        consent_source: consent === 'unknown' ? null : (identity.consentSource ?? 'api'),
        consent_at: consent === 'unknown' ? null : now,
        created_at: now,
      })
      .execute();
  }

  private async setTags(contactId: string, names: string[]): Promise<void> {
    const wanted = [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))];
    await this.db.deleteFrom('contact_tags').where('workspace_id', '=', this.workspaceId).where('contact_id', '=', contactId).execute();
    for (const name of wanted) {
      let tag = await this.db
        .selectFrom('tags')
        .select('id')
        .where('workspace_id', '=', this.workspaceId)
        .where('name', '=', name)
        .executeTakeFirst();
      if (!tag) {
        tag = { id: newId() };
        await this.db.insertInto('tags').values({ id: tag.id, workspace_id: this.workspaceId, name }).execute();
      }
      await this.db.insertInto('contact_tags').values({ workspace_id: this.workspaceId, contact_id: contactId, tag_id: tag.id }).execute();
    }
  }

  private async refreshSearchText(contactId: string): Promise<void> {
    const contact = await this.db
      .selectFrom('contacts')
      .select('name')
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', contactId)
      .executeTakeFirst();
    const identities = await this.db
      .selectFrom('contact_identities')
      .select('value')
      .where('workspace_id', '=', this.workspaceId)
      .where('contact_id', '=', contactId)
      .execute();
    await this.db
      .updateTable('contacts')
      .set({ search_text: searchText(contact?.name ?? null, identities.map((i) => i.value)) })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', contactId)
      .execute();
  }

  private async hydrate(rows: ContactTable[]): Promise<Contact[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const identities = await this.db
      .selectFrom('contact_identities')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('contact_id', 'in', ids)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const tags = await this.db
      .selectFrom('contact_tags')
      .innerJoin('tags', 'tags.id', 'contact_tags.tag_id')
      .select(['contact_tags.contact_id', 'tags.name'])
      .where('contact_tags.workspace_id', '=', this.workspaceId)
      .where('contact_tags.contact_id', 'in', ids)
      .orderBy('tags.name')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      identities: identities.filter((i) => i.contact_id === row.id).map(toIdentity),
      tags: tags.filter((t) => t.contact_id === row.id).map((t) => t.name),
      address: fromJson(row.address, null),
      preferredChannels: fromJson(row.preferred_channels, []),
      timezone: row.timezone,
      language: row.language,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }
}

/** Phones are searchable with and without their '+', as people type them both ways. */
export function searchText(name: string | null, values: string[]): string {
  const parts = [name ?? '', ...values, ...values.filter((v) => v.startsWith('+')).map((v) => v.slice(1))];
  return foldForSearch(parts.join(' '));
}

function intersect(a: readonly string[], b: readonly string[]): string[] {
  const inB = new Set(b);
  return a.filter((id) => inB.has(id));
}

function toIdentity(row: ContactIdentityTable): Identity {
  return {
    id: row.id,
    kind: row.kind as IdentityKind,
    value: row.value,
    consent: row.consent as Consent,
    consentSource: row.consent_source,
    consentAt: row.consent_at,
  };
}

/** An identity sharing the match key looked up, with the contact it belongs to. */
export interface MatchedIdentity {
  contactId: string;
  contactName: string | null;
  kind: IdentityKind;
  value: string;
}

/**
 * The inbound path's contact look-up and creation, with statements compiled once and run in the caller's
 * transaction: every message of a burst needs them. They write the same rows as ContactStore.create, without the
 * read-back the inbound path has no use for. One instance serves every workspace of a database.
 */
export class InboundContactWriter {
  private readonly matchQuery;
  private readonly insertContact;
  private readonly insertIdentity;
  private readonly insertAudit;

  constructor(db: Kysely<Database>) {
    this.matchQuery = PreparedQuery.of<{ workspaceId: string; matchKey: string }, { contact_id: string; name: string | null; kind: string; value: string }>(
      db,
      ['workspaceId', 'matchKey'],
      (q, v) =>
        q
          .selectFrom('contact_identities as i')
          .innerJoin('contacts as c', 'c.id', 'i.contact_id')
          .select(['i.contact_id', 'c.name', 'i.kind', 'i.value'])
          .where('i.workspace_id', '=', v.workspaceId)
          .where('i.match_key', '=', v.matchKey)
          .orderBy('i.created_at')
          .orderBy('i.id'),
    );
    this.insertContact = PreparedQuery.of<ContactTable, never>(
      db,
      ['id', 'workspace_id', 'name', 'search_text', 'address', 'preferred_channels', 'timezone', 'language', 'created_at', 'updated_at'],
      (q, v) => q.insertInto('contacts').values(v),
    );
    this.insertIdentity = PreparedQuery.of<ContactIdentityTable, never>(
      db,
      ['id', 'workspace_id', 'contact_id', 'kind', 'value', 'match_key', 'consent', 'consent_source', 'consent_at', 'created_at'],
      (q, v) => q.insertInto('contact_identities').values(v),
    );
    this.insertAudit = PreparedQuery.of<AuditLogTable, never>(
      db,
      ['id', 'workspace_id', 'actor', 'action', 'target_type', 'target_id', 'details', 'created_at'],
      (q, v) => q.insertInto('audit_log').values(v),
    );
  }

  /**
   * Identities under this match key, oldest first: the first one's contact is the one findByIdentity returns, and
   * the rest tell whether that contact already has a given handle of this person.
   */
  async findByMatchKey(target: QueryTarget, workspaceId: string, matchKey: string): Promise<MatchedIdentity[]> {
    const { rows } = await this.matchQuery.run(target, { workspaceId, matchKey });
    return rows.map((r) => ({ contactId: r.contact_id, contactName: r.name, kind: r.kind as IdentityKind, value: r.value }));
  }

  /** A new contact with one identity, normalised and known to be free; the same rows as ContactStore.create. */
  async create(
    target: QueryTarget,
    workspaceId: string,
    input: { name: string | null; identity: Required<IdentityInput>; actor: string },
  ): Promise<string> {
    const id = newId();
    const now = Date.now();
    const name = input.name?.trim() || null;
    const { identity } = input;
    await this.insertContact.run(target, {
      id,
      workspace_id: workspaceId,
      name,
      search_text: searchText(name, [identity.value]),
      address: null,
      preferred_channels: toJson([]),
      timezone: null,
      language: null,
      created_at: now,
      updated_at: now,
    });
    const known = identity.consent !== 'unknown';
    await this.insertIdentity.run(target, {
      id: newId(),
      workspace_id: workspaceId,
      contact_id: id,
      kind: identity.kind,
      value: identity.value,
      match_key: identityMatchKey(identity.kind, identity.value),
      consent: identity.consent,
      consent_source: known ? identity.consentSource : null,
      consent_at: known ? now : null,
      created_at: now,
    });
    await this.insertAudit.run(target, {
      id: newId(),
      workspace_id: workspaceId,
      actor: input.actor,
      action: 'contact.created',
      target_type: 'contact',
      target_id: id,
      details: toJson({}),
      created_at: Date.now(),
    });
    return id;
  }
}
