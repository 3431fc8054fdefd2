// Conversations group a contact's messages into threads of work for staff: open, pending, resolved; assigned or not.
import { type Kysely, sql } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { displayIdentity } from '../core/handle.js';
import { badRequest, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import { ContactStore, type Page } from './contacts.js';
import { newId } from './ids.js';
import type { ConversationTable, Database } from './schema.js';

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export interface Conversation {
  id: string;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  channel: string | null;
  lastActivityAt: number;
  createdAt: number;
  /** When staff last read it; null: never. */
  lastReadAt: number | null;
}

/** What the inbox shows of a conversation besides its own fields. */
export interface ConversationSummary {
  contact: { id: string; name: string | null; handle: string | null; handleKind: string | null };
  lastMessage: { body: string; direction: string; channel: string | null; status: string; at: number } | null;
  /** Inbound messages after lastReadAt, counted up to UNREAD_COUNT_LIMIT. */
  unreadCount: number;
}

/** Unread counts stop here (the inbox shows "99+"): counting a long-unread thread to the end would read all of it. */
export const UNREAD_COUNT_LIMIT = 100;
/** The preview of the last message is cut to this many characters. */
export const PREVIEW_LENGTH = 200;

export interface ConversationFilter {
  status?: ConversationStatus;
  /** A user id, or 'none' for unassigned conversations. */
  assignee?: string;
  channel?: string;
  contactId?: string;
  /** The search box: part of the contact's name or of any of their handles (as the contact search reads it). */
  query?: string;
  cursor?: string;
  limit?: number;
}

export class ConversationStore {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {
    this.audit = new AuditLog(db, workspaceId);
  }

  async list(filter: ConversationFilter): Promise<Page<Conversation>> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    let q = this.db.selectFrom('conversations').selectAll().where('workspace_id', '=', this.workspaceId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.assignee === 'none') q = q.where('assignee_id', 'is', null);
    else if (filter.assignee) q = q.where('assignee_id', '=', filter.assignee);
    if (filter.channel) q = q.where('channel', '=', filter.channel);
    if (filter.contactId) q = q.where('contact_id', '=', filter.contactId);
    if (filter.query?.trim()) {
      const match = await new ContactStore(this.db, this.workspaceId, null).searchMatch(filter.query);
      if (!match) return { items: [], nextCursor: null };
      if (match.ids) q = q.where('contact_id', 'in', match.ids);
      // EXISTS rather than IN: for a common fragment the newest conversations are checked one by one and the page
      // fills long before every matching contact has been read.
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('contacts')
            .select('contacts.id')
            .whereRef('contacts.id', '=', 'conversations.contact_id')
            .where('contacts.workspace_id', '=', this.workspaceId)
            .where((eb) => eb.and(match.likes.map((like) => sql<boolean>`contacts.search_text like ${like} escape '\\'`))),
        ),
      );
    }
    if (filter.cursor) {
      const position = decodeCursor(filter.cursor);
      if (!position) throw badRequest('invalid_cursor', 'The cursor is not valid: pass the nextCursor of a previous page.');
      // A row-value comparison is an index range on both databases; the equivalent OR is only a filter.
      q = q.where((eb) => eb(eb.refTuple('last_activity_at', 'id'), '<', eb.tuple(position.at, position.id)));
    }
    const rows = await q.orderBy('last_activity_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toConversation),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.last_activity_at, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<Conversation | null> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toConversation(row) : null;
  }

  async require(id: string): Promise<Conversation> {
    const conversation = await this.get(id);
    if (!conversation) throw notFound('conversation', id);
    return conversation;
  }

  /**
   * The contact, last message and unread count of each conversation, in two queries for the whole page (never one
   * per conversation). Both the last message and the unread count are ranges of messages_conversation
   * (conversation_id, created_at, direction); the unread count is read from the index alone (migration 0007).
   */
  async summaries(conversations: readonly Conversation[]): Promise<Map<string, ConversationSummary>> {
    const result = new Map<string, ConversationSummary>();
    if (conversations.length === 0) return result;
    const ids = conversations.map((c) => c.id);
    const contactIds = [...new Set(conversations.map((c) => c.contactId))];

    const contactRows = await this.db
      .selectFrom('contacts')
      .leftJoin('contact_identities', 'contact_identities.contact_id', 'contacts.id')
      .select(['contacts.id', 'contacts.name', 'contact_identities.kind', 'contact_identities.value'])
      .where('contacts.workspace_id', '=', this.workspaceId)
      .where('contacts.id', 'in', contactIds)
      .orderBy('contact_identities.created_at')
      .orderBy('contact_identities.id')
      .execute();
    const contacts = new Map<string, { name: string | null; identities: { kind: string; value: string }[] }>();
    for (const row of contactRows) {
      const entry = contacts.get(row.id) ?? { name: row.name, identities: [] };
      if (row.kind !== null && row.value !== null) entry.identities.push({ kind: row.kind, value: row.value });
      contacts.set(row.id, entry);
    }

    // The last message and the unread count in one statement: both are short ranges of messages_conversation.
    const { rows } = await sql<{
      id: string;
      unread: number | string;
      body: string | null;
      direction: string | null;
      channel: string | null;
      status: string | null;
      created_at: number | string | null;
    }>`
      select c.id,
        (
          select count(*) from (
            select 1 from messages u
            where u.conversation_id = c.id and u.direction = 'inbound' and u.created_at > coalesce(c.last_read_at, -1)
            limit ${UNREAD_COUNT_LIMIT}
          ) unread_rows
        ) as unread,
        substr(m.body, 1, ${PREVIEW_LENGTH}) as body, m.direction, m.channel, m.status, m.created_at
      from conversations c
      left join messages m on m.workspace_id = c.workspace_id and m.id = (
        select l.id from messages l where l.conversation_id = c.id order by l.created_at desc, l.id desc limit 1
      )
      where c.workspace_id = ${this.workspaceId} and c.id in (${sql.join(ids)})`.execute(this.db);
    const activity = new Map(rows.map((row) => [row.id, row]));

    for (const conversation of conversations) {
      const contact = contacts.get(conversation.contactId);
      const row = activity.get(conversation.id);
      const shown = displayIdentity(contact?.identities ?? []);
      result.set(conversation.id, {
        contact: { id: conversation.contactId, name: contact?.name ?? null, handle: shown?.value ?? null, handleKind: shown?.kind ?? null },
        lastMessage:
          row && row.created_at !== null
            ? { body: row.body ?? '', direction: row.direction ?? 'inbound', channel: row.channel, status: row.status ?? '', at: Number(row.created_at) }
            : null,
        unreadCount: Number(row?.unread ?? 0),
      });
    }
    return result;
  }

  /** Staff opened the conversation: its inbound messages up to `at` are read. */
  async markRead(id: string, at = Date.now()): Promise<void> {
    const updated = await this.db
      .updateTable('conversations')
      .set({ last_read_at: at })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw notFound('conversation', id);
  }

  /** The contact's latest unresolved conversation, or a new one: where a new message or note belongs. */
  async openFor(contactId: string, channel: string | null, at = Date.now()): Promise<Conversation> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('contact_id', '=', contactId)
      .where('status', '<>', 'resolved')
      .orderBy('last_activity_at', 'desc')
      .executeTakeFirst();
    if (row) return toConversation(row);
    const conversation: ConversationTable = {
      id: newId(),
      workspace_id: this.workspaceId,
      contact_id: contactId,
      status: 'open',
      assignee_id: null,
      channel,
      last_activity_at: at,
      created_at: at,
      last_read_at: null,
    };
    await this.db.insertInto('conversations').values(conversation).execute();
    return toConversation(conversation);
  }

  async update(
    id: string,
    patch: { status?: ConversationStatus; assigneeId?: string | null },
    actor: string,
  ): Promise<Conversation> {
    await this.require(id);
    if (patch.assigneeId) {
      const user = await this.db
        .selectFrom('users')
        .select('id')
        .where('workspace_id', '=', this.workspaceId)
        .where('id', '=', patch.assigneeId)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!user) throw badRequest('invalid_assignee', `No active user with id ${patch.assigneeId} exists in this workspace: pick one from GET /api/v1/users.`);
    }
    const values: Partial<ConversationTable> = {};
    if (patch.status !== undefined) values.status = patch.status;
    if (patch.assigneeId !== undefined) values.assignee_id = patch.assigneeId;
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('conversations').set(values).where('workspace_id', '=', this.workspaceId).where('id', '=', id).execute();
      await this.audit.record(actor, 'conversation.updated', { type: 'conversation', id }, patch);
    }
    return this.require(id);
  }
}

function toConversation(row: ConversationTable): Conversation {
  return {
    id: row.id,
    contactId: row.contact_id,
    status: row.status as ConversationStatus,
    assigneeId: row.assignee_id,
    channel: row.channel,
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
    lastReadAt: row.last_read_at == null ? null : Number(row.last_read_at),
  };
}
