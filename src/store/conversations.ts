// Conversations group a contact's messages into threads of work for staff: open, pending, resolved; assigned or not.
import type { Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { badRequest, notFound } from '../errors.js';
import { AuditLog } from './audit.js';
import type { Page } from './contacts.js';
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
}

export interface ConversationFilter {
  status?: ConversationStatus;
  /** A user id, or 'none' for unassigned conversations. */
  assignee?: string;
  channel?: string;
  contactId?: string;
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
  };
}
