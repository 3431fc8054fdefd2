// Messages and internal notes: one timeline per contact across every channel, kept in Lifeline.
import type { Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { badRequest } from '../errors.js';
import type { Page } from './contacts.js';
import { ConversationStore } from './conversations.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import type { Database, MessageTable } from './schema.js';

export type Direction = 'inbound' | 'outbound' | 'note';

export interface Attachment {
  url: string;
  contentType?: string;
  filename?: string;
}

export interface TimelineItem {
  id: string;
  contactId: string;
  channelId: string | null;
  conversationId: string | null;
  direction: Direction;
  channel: string | null;
  body: string;
  attachments: Attachment[];
  providerMessageId: string | null;
  status: string;
  errorCategory: string | null;
  errorExplanation: string | null;
  authorUserId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewMessage {
  contactId: string;
  direction: Direction;
  channel?: string | null;
  body: string;
  attachments?: Attachment[];
  providerMessageId?: string | null;
  status?: string;
  authorUserId?: string | null;
  conversationId?: string | null;
  /** The channel (of the workspace) that carried the message. */
  channelId?: string | null;
  createdAt?: number;
}

/** Delivery only moves forward: a late 'delivered' never overwrites 'read', and 'failed' is final. */
const STATUS_RANK: Record<string, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, read: 4, failed: 5 };

class DuplicateMessage extends Error {}

export class MessageStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly workspaceId: string,
  ) {}

  /** Appends to the contact's timeline and moves its conversation to the top of the inbox. */
  async append(message: NewMessage): Promise<TimelineItem> {
    const item = await this.appendOnce(message);
    if (!item) throw new Error(`message ${message.providerMessageId} is already stored`);
    return item;
  }

  /**
   * Like append, but returns null when the channel already delivered a message with the same provider id:
   * providers repeat webhooks, and a repeat must not become a second message.
   */
  async appendOnce(message: NewMessage & { skipDuplicateCheck?: boolean }): Promise<TimelineItem | null> {
    if (message.channelId && message.providerMessageId && !message.skipDuplicateCheck) {
      const existing = await this.findByProviderId(message.channelId, message.direction, message.providerMessageId);
      if (existing) return null;
    }
    try {
      return await this.insert(message);
    } catch (error) {
      if (error instanceof DuplicateMessage) return null;
      throw error;
    }
  }

  async findByProviderId(channelId: string, direction: Direction, providerMessageId: string): Promise<TimelineItem | null> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', this.workspaceId)
      .where('channel_id', '=', channelId)
      .where('direction', '=', direction)
      .where('provider_message_id', '=', providerMessageId)
      .executeTakeFirst();
    return row ? toTimelineItem(row) : null;
  }

  /** Applies a delivery receipt; returns the message when its status moved forward. */
  async applyStatus(
    channelId: string,
    providerMessageId: string,
    status: string,
    error?: { category: string; explanation: string } | null,
  ): Promise<TimelineItem | null> {
    const current = await this.findByProviderId(channelId, 'outbound', providerMessageId);
    if (!current) return null;
    if ((STATUS_RANK[status] ?? 0) <= (STATUS_RANK[current.status] ?? 0)) return null;
    const now = Date.now();
    await this.db
      .updateTable('messages')
      .set({
        status,
        updated_at: now,
        ...(error ? { error_category: error.category, error_explanation: error.explanation } : {}),
      })
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', current.id)
      .execute();
    return { ...current, status, updatedAt: now, errorCategory: error?.category ?? current.errorCategory, errorExplanation: error?.explanation ?? current.errorExplanation };
  }

  /**
   * Appends within the caller's transaction (the send API writes the message, its delivery and its job together).
   * Throws on a duplicate provider id instead of returning null: the caller's transaction must roll back.
   */
  async appendIn(trx: Kysely<Database>, message: NewMessage): Promise<TimelineItem> {
    return this.insertIn(trx, message);
  }

  private async insert(message: NewMessage): Promise<TimelineItem> {
    return this.db.transaction().execute(async (trx) => this.insertIn(trx, message));
  }

  private async insertIn(trx: Kysely<Database>, message: NewMessage): Promise<TimelineItem> {
    const at = message.createdAt ?? Date.now();
    const conversations = new ConversationStore(trx, this.workspaceId);
    const conversationId =
      message.conversationId ?? (await conversations.openFor(message.contactId, message.channel ?? null, at)).id;
    const row: MessageTable = {
      id: newId(),
      workspace_id: this.workspaceId,
      contact_id: message.contactId,
      conversation_id: conversationId,
      direction: message.direction,
      channel: message.channel ?? null,
      body: message.body,
      attachments: toJson(message.attachments ?? []),
      provider_message_id: message.providerMessageId ?? null,
      status: message.status ?? (message.direction === 'inbound' ? 'received' : message.direction === 'note' ? 'note' : 'queued'),
      error_category: null,
      error_explanation: null,
      author_user_id: message.authorUserId ?? null,
      created_at: at,
      updated_at: at,
      channel_id: message.channelId ?? null,
    };
    const inserted = await trx.insertInto('messages').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    // Lost a race with a concurrent copy of the same provider message: roll back the conversation change too.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 1n) === 0) throw new DuplicateMessage();
    const activity: { last_activity_at: number; channel?: string; status?: string } = { last_activity_at: at };
    if (message.channel) activity.channel = message.channel;
    // A customer writing again reopens a conversation that staff had parked as pending.
    if (message.direction === 'inbound') activity.status = 'open';
    await trx
      .updateTable('conversations')
      .set(activity)
      .where('workspace_id', '=', this.workspaceId)
      .where('id', '=', conversationId)
      .where('last_activity_at', '<=', at)
      .execute();
    return toTimelineItem(row);
  }

  async timeline(contactId: string, options: { cursor?: string; limit?: number }): Promise<Page<TimelineItem>> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    let q = this.db
      .selectFrom('messages')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where('workspace_id', '=', this.workspaceId);
    if (options.cursor) {
      const position = decodeCursor(options.cursor);
      if (!position) throw badRequest('invalid_cursor', 'The cursor is not valid: pass the nextCursor of a previous page.');
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(position.at, position.id)));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toTimelineItem),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.created_at, id: last.id }) : null,
    };
  }
}

function toTimelineItem(row: MessageTable): TimelineItem {
  return {
    id: row.id,
    contactId: row.contact_id,
    channelId: row.channel_id,
    conversationId: row.conversation_id,
    direction: row.direction as Direction,
    channel: row.channel,
    body: row.body,
    attachments: fromJson(row.attachments, []),
    providerMessageId: row.provider_message_id,
    status: row.status,
    errorCategory: row.error_category,
    errorExplanation: row.error_explanation,
    authorUserId: row.author_user_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
