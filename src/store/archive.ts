// A workspace's rows for a full export, read page by page, and the writes that restore them elsewhere. An export
// reads only rows created up to the moment it started, so what it writes hangs together (no message whose
// conversation came later) while the shop keeps working. A restore writes everything in one transaction.
import { type Kysely, sql } from 'kysely';
import { searchText } from './contacts.js';
import { powerOfTwoChunks } from './database.js';
import { newId } from './ids.js';
import type {
  ChannelTable,
  ContactIdentityTable,
  ContactTable,
  ConversationTable,
  Database,
  DeliveryAttemptTable,
  DeliveryTable,
  MessageTable,
  UserTable,
  WorkspaceTable,
} from './schema.js';
import { seal } from './secret-box.js';

const PAGE = 1000;
/** Contacts per page of the walk; their identities or conversations are read with one IN (…) list per page. */
const CONTACT_PAGE = 500;
const INSERT_CHUNK = 64;
const READ_CHUNK = 500;

/**
 * Tables of other features that belong in an export, when this database has them, in the order a restore must
 * write them (an incident before its events). They are carried row for row, column names as stored. Those whose
 * rows point at contacts carry only rows created up to the export's start, as the contacts themselves are.
 */
const EXTRA_TABLES: readonly { name: string; createdColumn?: string }[] = [
  { name: 'incidents' },
  { name: 'incident_events' },
  { name: 'incident_settings' },
  { name: 'contact_links', createdColumn: 'created_at' },
];

export type ContactRow = Omit<ContactTable, 'search_text' | 'workspace_id'>;

export interface RawTable {
  name: string;
  columns: string[];
  createdColumn?: string;
}

async function* keyset<Row>(fetch: (after: string | null) => Promise<Row[]>, key: (row: Row) => string): AsyncGenerator<Row[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await fetch(after);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    after = key(rows.at(-1)!);
  }
}

/** Rows of a page of contacts, in the contacts' order, then by time and id. */
function inContactOrder<Row extends { contact_id: string; created_at: number; id: string }>(rows: Row[], contacts: readonly { id: string }[]): Row[] {
  const order = new Map(contacts.map((c, i) => [c.id, i]));
  return rows.sort((a, b) => order.get(a.contact_id)! - order.get(b.contact_id)! || a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export class WorkspaceArchiveStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
    private readonly secretKey: Buffer,
  ) {}

  /** The writes of a restore of this workspace, in the caller's transaction. */
  restoreIn(trx: Kysely<Database>): WorkspaceRestore {
    return new WorkspaceRestore(trx, this.workspaceId, this.secretKey);
  }

  async workspace(): Promise<WorkspaceTable | null> {
    return (await this.db.selectFrom('workspaces').selectAll().where('id', '=', this.workspaceId).executeTakeFirst()) ?? null;
  }

  users(): AsyncGenerator<UserTable[]> {
    return keyset(
      (after) => {
        let q = this.db.selectFrom('users').selectAll().where('workspace_id', '=', this.workspaceId);
        if (after !== null) q = q.where('id', '>', after);
        return q.orderBy('id').limit(PAGE).execute();
      },
      (r) => r.id,
    );
  }

  channels(): AsyncGenerator<ChannelTable[]> {
    return keyset(
      (after) => {
        let q = this.db.selectFrom('channels').selectAll().where('workspace_id', '=', this.workspaceId);
        if (after !== null) q = q.where('id', '>', after);
        return q.orderBy('id').limit(PAGE).execute();
      },
      (r) => r.id,
    );
  }

  /**
   * The workspace's contacts created up to `until`, oldest first, a page at a time, read through the workspace's
   * (created_at, id) index. Everything else of a contact is read by contact id from there: those are the indexes
   * that exist (a query on workspace_id plus another column makes SQLite walk the whole workspace and sort it).
   */
  private async *contactPages(until: number, size = CONTACT_PAGE): AsyncGenerator<ContactTable[]> {
    let after: { at: number; id: string } | null = null;
    for (;;) {
      let q = this.db.selectFrom('contacts').selectAll().where('workspace_id', '=', this.workspaceId).where('created_at', '<=', until);
      if (after) {
        const { at, id } = after;
        q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, id)));
      }
      const rows = await q.orderBy('created_at').orderBy('id').limit(size).execute();
      if (rows.length > 0) yield rows;
      if (rows.length < size) return;
      const last = rows.at(-1)!;
      after = { at: last.created_at, id: last.id };
    }
  }

  /** Contacts created up to `until`, each with its tag names. */
  async *contacts(until: number): AsyncGenerator<{ contact: ContactTable; tags: string[] }[]> {
    for await (const rows of this.contactPages(until)) {
      const tags = await this.db
        .selectFrom('contact_tags')
        .innerJoin('tags', 'tags.id', 'contact_tags.tag_id')
        .select(['contact_tags.contact_id', 'tags.name'])
        .where(
          'contact_tags.contact_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('tags.name')
        .execute();
      const byContact = new Map<string, string[]>();
      for (const tag of tags) byContact.set(tag.contact_id, [...(byContact.get(tag.contact_id) ?? []), tag.name]);
      yield rows.map((contact) => ({ contact, tags: byContact.get(contact.id) ?? [] }));
    }
  }

  identities(until: number): AsyncGenerator<ContactIdentityTable[]> {
    return this.byContactPage('contact_identities', until);
  }

  conversations(until: number): AsyncGenerator<ConversationTable[]> {
    return this.byContactPage('conversations', until);
  }

  /**
   * The rows of `table` created up to `until` that belong to each page of contacts, in the contacts' order. Read by
   * contact id only, the workspace checked on the rows: that is the index these tables have.
   */
  private async *byContactPage<T extends 'contact_identities' | 'conversations'>(table: T, until: number): AsyncGenerator<Database[T][]> {
    for await (const contacts of this.contactPages(until)) {
      // One query for either table; `as` because Kysely cannot follow a table name that is a type parameter.
      const rows = (await this.db
        .selectFrom(table as 'conversations')
        .selectAll()
        .where(
          'contact_id',
          'in',
          contacts.map((c) => c.id),
        )
        .where('created_at', '<=', until)
        .execute()) as Database[T][];
      const mine = inContactOrder(rows.filter((r) => r.workspace_id === this.workspaceId), contacts);
      if (mine.length > 0) yield mine;
    }
  }

  /** Messages created up to `until`, contact by contact, each contact's in time order (the timeline index). */
  async *messages(until: number): AsyncGenerator<MessageTable[]> {
    let page: MessageTable[] = [];
    for await (const contacts of this.contactPages(until, 100)) {
      for (const contact of contacts) {
        let after: { at: number; id: string } | null = null;
        for (;;) {
          let q = this.db.selectFrom('messages').selectAll().where('contact_id', '=', contact.id).where('created_at', '<=', until);
          if (after) {
            const { at, id } = after;
            q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, id)));
          }
          const rows = await q.orderBy('created_at').orderBy('id').limit(PAGE).execute();
          page.push(...rows.filter((r) => r.workspace_id === this.workspaceId));
          if (page.length >= PAGE) {
            yield page;
            page = [];
          }
          if (rows.length < PAGE) break;
          const last = rows.at(-1)!;
          after = { at: last.created_at, id: last.id };
        }
      }
    }
    if (page.length > 0) yield page;
  }

  /** The delivery records of the messages `messages` yields, page by page. */
  async *deliveries(until: number): AsyncGenerator<DeliveryTable[]> {
    for await (const messages of this.messages(until)) {
      const ids = messages.filter((m) => m.direction === 'outbound').map((m) => m.id);
      if (ids.length === 0) continue;
      const rows = await this.db.selectFrom('deliveries').selectAll().where('message_id', 'in', ids).where('created_at', '<=', until).execute();
      const order = new Map(ids.map((id, i) => [id, i]));
      const mine = rows.filter((r) => r.workspace_id === this.workspaceId).sort((a, b) => order.get(a.message_id)! - order.get(b.message_id)!);
      if (mine.length > 0) yield mine;
    }
  }

  async *attempts(until: number): AsyncGenerator<DeliveryAttemptTable[]> {
    for await (const messages of this.messages(until)) {
      const ids = messages.filter((m) => m.direction === 'outbound').map((m) => m.id);
      if (ids.length === 0) continue;
      const rows = await this.db.selectFrom('delivery_attempts').selectAll().where('message_id', 'in', ids).where('created_at', '<=', until).execute();
      const order = new Map(ids.map((id, i) => [id, i]));
      const mine = rows.filter((r) => r.workspace_id === this.workspaceId).sort((a, b) => order.get(a.message_id)! - order.get(b.message_id)! || a.seq - b.seq);
      if (mine.length > 0) yield mine;
    }
  }

  /** How many rows each export file will hold about, for progress. */
  async counts(until: number): Promise<Record<string, number>> {
    const count = async (table: 'users' | 'channels' | 'contacts' | 'contact_identities' | 'conversations' | 'messages' | 'deliveries' | 'delivery_attempts', bounded: boolean) => {
      let q = this.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', this.workspaceId);
      if (bounded) q = q.where('created_at', '<=', until);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    return {
      users: await count('users', false),
      channels: await count('channels', false),
      contacts: await count('contacts', true),
      identities: await count('contact_identities', true),
      conversations: await count('conversations', true),
      messages: await count('messages', true),
      deliveries: await count('deliveries', true),
      delivery_attempts: await count('delivery_attempts', true),
    };
  }

  /** Tables of other features (incidents…) that exist in this database and hold rows per workspace. */
  async extraTables(): Promise<RawTable[]> {
    const tables = await this.db.introspection.getTables();
    return EXTRA_TABLES.flatMap(({ name, createdColumn }) => {
      const table = tables.find((t) => t.name === name && t.columns.some((c) => c.name === 'workspace_id'));
      return table ? [{ name, columns: table.columns.map((c) => c.name), ...(createdColumn ? { createdColumn } : {}) }] : [];
    });
  }

  /** Every row of an extra table for this workspace (created up to `until`, where the table says when), without its workspace_id. */
  async *rawRows(table: RawTable, until: number): AsyncGenerator<Record<string, unknown>[]> {
    // In a stable order, so that two exports of the same rows are the same file.
    const order = sql.join((table.columns.includes('id') ? ['id'] : table.columns.filter((c) => c !== 'workspace_id')).map((c) => sql.ref(c)));
    const created = table.createdColumn ? sql`and ${sql.ref(table.createdColumn)} <= ${until}` : sql``;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)} where workspace_id = ${this.workspaceId} ${created} order by ${order}`.execute(this.db);
    for (let at = 0; at < rows.length; at += PAGE) {
      yield rows.slice(at, at + PAGE).map(({ workspace_id: _ws, ...rest }) => rest);
    }
  }
}

/**
 * The writes of a restore, all in the caller's transaction. Each insert of records that point at others (a message's
 * contact and conversation…) first drops those whose target is missing and returns how many it dropped.
 */
export class WorkspaceRestore {
  constructor(
    private readonly trx: Kysely<Database>,
    private readonly workspaceId: string,
    private readonly secretKey: Buffer,
  ) {}

  async workspace(row: WorkspaceTable): Promise<void> {
    await this.trx.insertInto('workspaces').values(row).execute();
  }

  async users(rows: UserTable[]): Promise<void> {
    await this.insert('users', rows);
  }

  /** Channels come back paused with empty credentials: an export never carries secrets. */
  async channels(rows: { id: string; kind: string; name: string; state: string; created_at: number }[]): Promise<void> {
    const sealed = rows.map((r): ChannelTable => ({ ...r, workspace_id: this.workspaceId, config_encrypted: seal('{}', this.secretKey), state: 'paused' }));
    await this.insert('channels', sealed);
  }

  async contacts(rows: { contact: ContactRow; tags: string[] }[]): Promise<void> {
    const tagIds = await this.tagIds(rows.flatMap((r) => r.tags));
    await this.insert(
      'contacts',
      rows.map(({ contact }) => ({ ...contact, workspace_id: this.workspaceId, search_text: searchText(contact.name, []) })),
    );
    const links = rows.flatMap(({ contact, tags }) => [...new Set(tags)].map((tag) => ({ workspace_id: this.workspaceId, contact_id: contact.id, tag_id: tagIds.get(tag)! })));
    for (const chunk of powerOfTwoChunks(links, INSERT_CHUNK)) await this.trx.insertInto('contact_tags').values(chunk).execute();
  }

  async identities(rows: ContactIdentityTable[]): Promise<number> {
    const kept = await this.withExisting(rows, 'contacts', (r) => r.contact_id);
    await this.insert('contact_identities', kept);
    return rows.length - kept.length;
  }

  /** Search text depends on every handle, so it is rebuilt once all identities are in. */
  async rebuildSearchText(): Promise<void> {
    let after: { at: number; id: string } | null = null;
    for (;;) {
      let q = this.trx.selectFrom('contacts').select(['id', 'name', 'created_at']).where('workspace_id', '=', this.workspaceId);
      if (after) {
        const { at, id } = after;
        q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, id)));
      }
      const contacts = await q.orderBy('created_at').orderBy('id').limit(PAGE).execute();
      if (contacts.length === 0) return;
      // By contact id only: the identities of these contacts are this workspace's.
      const identities = await this.trx
        .selectFrom('contact_identities')
        .select(['contact_id', 'value'])
        .where(
          'contact_id',
          'in',
          contacts.map((c) => c.id),
        )
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const values = new Map<string, string[]>();
      for (const identity of identities) values.set(identity.contact_id, [...(values.get(identity.contact_id) ?? []), identity.value]);
      for (const contact of contacts) {
        const own = values.get(contact.id);
        if (own) await this.trx.updateTable('contacts').set({ search_text: searchText(contact.name, own) }).where('id', '=', contact.id).execute();
      }
      const last = contacts.at(-1)!;
      after = { at: last.created_at, id: last.id };
    }
  }

  async conversations(rows: ConversationTable[]): Promise<number> {
    let kept = await this.withExisting(rows, 'contacts', (r) => r.contact_id);
    kept = await this.nullMissing(kept, 'users', (r) => r.assignee_id, (r) => ({ ...r, assignee_id: null }));
    await this.insert('conversations', kept);
    return rows.length - kept.length;
  }

  async messages(rows: MessageTable[]): Promise<number> {
    let kept = await this.withExisting(rows, 'contacts', (r) => r.contact_id);
    kept = await this.nullMissing(kept, 'conversations', (r) => r.conversation_id, (r) => ({ ...r, conversation_id: null }));
    kept = await this.nullMissing(kept, 'users', (r) => r.author_user_id, (r) => ({ ...r, author_user_id: null }));
    await this.insert('messages', kept);
    return rows.length - kept.length;
  }

  async deliveries(rows: DeliveryTable[]): Promise<number> {
    const kept = await this.withExisting(rows, 'messages', (r) => r.message_id);
    await this.insert('deliveries', kept);
    return rows.length - kept.length;
  }

  async attempts(rows: DeliveryAttemptTable[]): Promise<number> {
    const kept = await this.withExisting(rows, 'messages', (r) => r.message_id);
    await this.insert('delivery_attempts', kept);
    return rows.length - kept.length;
  }

  /** Rows of a table another feature added; false when this database has no such table. */
  async rawRows(table: string, rows: Record<string, unknown>[]): Promise<boolean> {
    const existing = (await this.trx.introspection.getTables()).find((t) => t.name === table);
    if (!existing) return false;
    const columns = new Set(existing.columns.map((c) => c.name));
    for (const row of rows) {
      const entries = Object.entries({ ...row, workspace_id: this.workspaceId }).filter(([column]) => columns.has(column));
      await sql`insert into ${sql.table(table)} (${sql.join(entries.map(([c]) => sql.ref(c)))}) values (${sql.join(entries.map(([, v]) => v))})`.execute(this.trx);
    }
    return true;
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.trx.updateTable('users').set({ password_hash: passwordHash }).where('workspace_id', '=', this.workspaceId).where('id', '=', userId).execute();
  }

  private async insert<T extends 'users' | 'channels' | 'contacts' | 'contact_identities' | 'conversations' | 'messages' | 'deliveries' | 'delivery_attempts'>(
    table: T,
    rows: readonly Database[T][],
  ): Promise<void> {
    for (const chunk of powerOfTwoChunks(rows, INSERT_CHUNK)) {
      await this.trx.insertInto(table).values(chunk as never).execute();
    }
  }

  /** The rows whose `ref` names an existing row of `table` (in this workspace). */
  private async withExisting<Row>(rows: Row[], table: 'contacts' | 'messages' | 'conversations' | 'users', ref: (row: Row) => string | null): Promise<Row[]> {
    const present = await this.present(table, rows.map(ref));
    return rows.filter((row) => {
      const id = ref(row);
      return id !== null && present.has(id);
    });
  }

  /** Rows whose optional `ref` is missing get it cleared (a message whose author left the team keeps its text). */
  private async nullMissing<Row>(rows: Row[], table: 'conversations' | 'users', ref: (row: Row) => string | null, clear: (row: Row) => Row): Promise<Row[]> {
    const present = await this.present(table, rows.map(ref));
    return rows.map((row) => {
      const id = ref(row);
      return id === null || present.has(id) ? row : clear(row);
    });
  }

  private async present(table: 'contacts' | 'messages' | 'conversations' | 'users', ids: (string | null)[]): Promise<Set<string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    const found = new Set<string>();
    for (let at = 0; at < wanted.length; at += READ_CHUNK) {
      // By id only, the workspace checked on the rows: with workspace_id in the WHERE, SQLite walks the workspace.
      const rows = await this.trx
        .selectFrom(table as 'contacts')
        .select(['id', 'workspace_id'])
        .where('id', 'in', wanted.slice(at, at + READ_CHUNK))
        .execute();
      for (const row of rows) if (row.workspace_id === this.workspaceId) found.add(row.id);
    }
    return found;
  }

  private async tagIds(names: string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(names)];
    const ids = new Map<string, string>();
    for (let at = 0; at < wanted.length; at += READ_CHUNK) {
      const rows = await this.trx
        .selectFrom('tags')
        .select(['id', 'name'])
        .where('workspace_id', '=', this.workspaceId)
        .where('name', 'in', wanted.slice(at, at + READ_CHUNK))
        .execute();
      for (const row of rows) ids.set(row.name, row.id);
    }
    const missing = wanted.filter((n) => !ids.has(n)).map((name) => ({ id: newId(), workspace_id: this.workspaceId, name }));
    for (const chunk of powerOfTwoChunks(missing, INSERT_CHUNK)) await this.trx.insertInto('tags').values(chunk).execute();
    for (const tag of missing) ids.set(tag.name, tag.id);
    return ids;
  }
}

