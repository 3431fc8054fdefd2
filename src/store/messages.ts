// Messages and internal notes: one timeline per contact across every channel, kept in Lifeline.
import type { Kysely } from 'kysely';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { badRequest } from '../errors.js';
import type { Page } from './contacts.js';
import { ConversationStore } from './conversations.js';
import { dialectOf, powerOfTwoChunks, scopeColumn } from './database.js';
import { newId } from './ids.js';
import { fromJson, toJson } from './json.js';
import { PreparedQuery, type QueryTarget } from './prepared.js';
import type { ConversationTable, Database, MessageTable } from './schema.js';

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
/** The most messages one watermark receipt moves: the customer's recent ones (older ones had their own receipts). */
const WATERMARK_REACH = 50;

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

  /**
   * Provider ids of the outbound messages to a contact on a channel, created up to `upTo`, that have not reached
   * `status` yet: what a watermark receipt covers. Newest first and bounded, as a watermark only ever moves forward.
   */
  async awaitingUpTo(channelId: string, contactId: string, status: 'delivered' | 'read', upTo: number): Promise<string[]> {
    const below = Object.keys(STATUS_RANK).filter((s) => s !== 'queued' && STATUS_RANK[s]! < STATUS_RANK[status]!);
    const rows = await this.db
      .selectFrom('messages')
      .select('provider_message_id')
      .where('workspace_id', '=', this.workspaceId)
      .where('contact_id', '=', contactId)
      .where('direction', '=', 'outbound')
      .where('channel_id', '=', channelId)
      .where('status', 'in', below)
      .where('created_at', '<=', upTo)
      .where('provider_message_id', 'is not', null)
      .orderBy('created_at', 'desc')
      .limit(WATERMARK_REACH)
      .execute();
    return rows.map((r) => r.provider_message_id!);
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

  /**
   * Appends many messages in the caller's transaction with a few statements for the lot (the send API's group
   * commit): the rows appendIn writes, for messages without a provider id. Each contact's messages go to its latest
   * unresolved conversation, or to one new conversation opened for them.
   */
  async appendManyIn(trx: Kysely<Database>, messages: readonly NewMessage[]): Promise<TimelineItem[]> {
    if (messages.length === 0) return [];
    const opened = await this.openConversationsIn(trx, messages);
    const rows = messages.map((message) =>
      newMessageRow(this.workspaceId, message, message.conversationId ?? opened.get(message.contactId)!, message.createdAt ?? Date.now()),
    );
    // 16 columns a row: 32 rows a statement.
    for (const chunk of powerOfTwoChunks(rows, 32)) await trx.insertInto('messages').values(chunk).execute();
    // Conversations move to the top of the inbox: one update per distinct time (usually the whole batch shares one).
    const touched = new Map<string, { at: number; channel: string | null; ids: Set<string> }>();
    for (const row of rows) {
      const key = `${row.created_at}|${row.channel ?? ''}`;
      const entry = touched.get(key) ?? { at: row.created_at, channel: row.channel, ids: new Set<string>() };
      entry.ids.add(row.conversation_id!);
      touched.set(key, entry);
    }
    for (const { at, channel, ids } of touched.values()) {
      for (const chunk of powerOfTwoChunks([...ids])) {
        await trx
          .updateTable('conversations')
          .set(channel ? { last_activity_at: at, channel } : { last_activity_at: at })
          .where(scopeColumn(dialectOf(trx)), '=', this.workspaceId)
          .where('id', 'in', chunk)
          .where('last_activity_at', '<=', at)
          .execute();
      }
    }
    return rows.map(toTimelineItem);
  }

  /** ConversationStore.openFor for the contacts of many messages without a conversation: conversation id by contact. */
  private async openConversationsIn(trx: Kysely<Database>, messages: readonly NewMessage[]): Promise<Map<string, string>> {
    const contactIds = [...new Set(messages.filter((m) => !m.conversationId).map((m) => m.contactId))];
    const opened = new Map<string, string>();
    const latest = new Map<string, number>();
    for (const chunk of powerOfTwoChunks(contactIds)) {
      // By contact only, the workspace checked on the rows: with the workspace in the WHERE, SQLite would walk the
      // workspace's activity index instead of the contact's few conversations.
      const rows = await trx
        .selectFrom('conversations')
        .select(['id', 'workspace_id', 'contact_id', 'last_activity_at'])
        .where('contact_id', 'in', chunk)
        .where('status', '<>', 'resolved')
        .execute();
      for (const row of rows) {
        if (row.workspace_id !== this.workspaceId || (latest.get(row.contact_id) ?? Number.NEGATIVE_INFINITY) >= row.last_activity_at) continue;
        latest.set(row.contact_id, row.last_activity_at);
        opened.set(row.contact_id, row.id);
      }
    }
    const created: ConversationTable[] = [];
    for (const contactId of contactIds) {
      if (opened.has(contactId)) continue;
      const first = messages.find((m) => m.contactId === contactId)!;
      const at = first.createdAt ?? Date.now();
      const conversation: ConversationTable = {
        id: newId(),
        workspace_id: this.workspaceId,
        contact_id: contactId,
        status: 'open',
        assignee_id: null,
        channel: first.channel ?? null,
        last_activity_at: at,
        created_at: at,
      };
      created.push(conversation);
      opened.set(contactId, conversation.id);
    }
    for (const chunk of powerOfTwoChunks(created, 64)) await trx.insertInto('conversations').values(chunk).execute();
    return opened;
  }

  private async insert(message: NewMessage): Promise<TimelineItem> {
    return this.db.transaction().execute(async (trx) => this.insertIn(trx, message));
  }

  private async insertIn(trx: Kysely<Database>, message: NewMessage): Promise<TimelineItem> {
    const at = message.createdAt ?? Date.now();
    const conversations = new ConversationStore(trx, this.workspaceId);
    const conversationId =
      message.conversationId ?? (await conversations.openFor(message.contactId, message.channel ?? null, at)).id;
    const row = newMessageRow(this.workspaceId, message, conversationId, at);
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

/** The row of a new message, as first written: its status from its direction unless given, no error yet. */
function newMessageRow(workspaceId: string, message: NewMessage, conversationId: string, at: number): MessageTable {
  return {
    id: newId(),
    workspace_id: workspaceId,
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

/**
 * The inbound path's timeline writes, with statements compiled once and run in the caller's transaction: the same
 * rows as appendOnce writes for an inbound message, for every message of a burst. One instance serves every
 * workspace of a database.
 */
export class InboundMessageWriter {
  private readonly existsQuery;
  private readonly openConversationsQuery;
  private readonly touchQuery;
  private readonly insertConversation;
  private readonly deleteConversation;
  private readonly insertMessage;

  constructor(db: Kysely<Database>) {
    this.existsQuery = PreparedQuery.of<{ workspaceId: string; channelId: string; providerMessageId: string }, { id: string }>(
      db,
      ['workspaceId', 'channelId', 'providerMessageId'],
      (q, v) =>
        q
          .selectFrom('messages')
          .select('id')
          .where('workspace_id', '=', v.workspaceId)
          .where('channel_id', '=', v.channelId)
          .where('direction', '=', 'inbound')
          .where('provider_message_id', '=', v.providerMessageId),
    );
    // By contact alone: with the workspace in the same WHERE, SQLite walks the workspace's activity index instead,
    // which reads every conversation of the workspace. The workspace is checked on the rows.
    this.openConversationsQuery = PreparedQuery.of<{ contactId: string }, { id: string; workspace_id: string; last_activity_at: number }>(
      db,
      ['contactId'],
      (q, v) => q.selectFrom('conversations').select(['id', 'workspace_id', 'last_activity_at']).where('contact_id', '=', v.contactId).where('status', '<>', 'resolved'),
    );
    this.touchQuery = PreparedQuery.of<{ workspaceId: string; id: string; channel: string; at: number }, never>(
      db,
      ['workspaceId', 'id', 'channel', 'at'],
      (q, v) =>
        q
          .updateTable('conversations')
          .set({ last_activity_at: v.at, channel: v.channel, status: 'open' })
          .where('workspace_id', '=', v.workspaceId)
          .where('id', '=', v.id)
          .where('last_activity_at', '<=', v.at),
    );
    this.insertConversation = PreparedQuery.of<ConversationTable, never>(
      db,
      ['id', 'workspace_id', 'contact_id', 'status', 'assignee_id', 'channel', 'last_activity_at', 'created_at'],
      (q, v) => q.insertInto('conversations').values(v),
    );
    this.deleteConversation = PreparedQuery.of<{ workspaceId: string; id: string }, never>(db, ['workspaceId', 'id'], (q, v) =>
      q.deleteFrom('conversations').where('workspace_id', '=', v.workspaceId).where('id', '=', v.id),
    );
    this.insertMessage = PreparedQuery.of<MessageTable, never>(
      db,
      [
        'id', 'workspace_id', 'contact_id', 'conversation_id', 'direction', 'channel', 'body', 'attachments', 'provider_message_id', 'status',
        'error_category', 'error_explanation', 'author_user_id', 'created_at', 'updated_at', 'channel_id',
      ],
      (q, v) => q.insertInto('messages').values(v).onConflict((oc) => oc.doNothing()),
    );
  }

  /** Whether the channel already delivered an inbound message with this provider id. */
  async exists(target: QueryTarget, workspaceId: string, channelId: string, providerMessageId: string): Promise<boolean> {
    return (await this.existsQuery.run(target, { workspaceId, channelId, providerMessageId })).rows.length > 0;
  }

  /**
   * Appends a customer's message to the contact's latest unresolved conversation, or to a new one, and moves that
   * conversation to the top of the inbox: what appendOnce does for an inbound message. Null when the channel
   * already delivered this provider id.
   */
  async append(
    target: QueryTarget,
    input: { workspaceId: string; contactId: string; channel: string; channelId: string; body: string; attachments: Attachment[]; providerMessageId: string; at: number },
  ): Promise<TimelineItem | null> {
    const { workspaceId, contactId, channel, at } = input;
    const { rows } = await this.openConversationsQuery.run(target, { contactId });
    let latest: { id: string; last_activity_at: number } | undefined;
    for (const row of rows) {
      if (row.workspace_id === workspaceId && (!latest || row.last_activity_at > latest.last_activity_at)) latest = row;
    }
    const created = !latest;
    const conversationId = latest?.id ?? newId();
    if (created) {
      await this.insertConversation.run(target, {
        id: conversationId,
        workspace_id: workspaceId,
        contact_id: contactId,
        status: 'open',
        assignee_id: null,
        channel,
        last_activity_at: at,
        created_at: at,
      });
    }
    const row: MessageTable = {
      id: newId(),
      workspace_id: workspaceId,
      contact_id: contactId,
      conversation_id: conversationId,
      direction: 'inbound',
      channel,
      body: input.body,
      attachments: toJson(input.attachments),
      provider_message_id: input.providerMessageId,
      status: 'received',
      error_category: null,
      error_explanation: null,
      author_user_id: null,
      created_at: at,
      updated_at: at,
      channel_id: input.channelId,
    };
    if ((await this.insertMessage.changes(target, row)) === 0) {
      // Another process stored the same provider message meanwhile (PostgreSQL): leave no empty conversation behind.
      if (created) await this.deleteConversation.run(target, { workspaceId, id: conversationId });
      return null;
    }
    // Moves the conversation to the top of the inbox and reopens it if staff had parked it, unless it has seen newer
    // activity (this message is late).
    if (!created) await this.touchQuery.run(target, { workspaceId, id: conversationId, channel, at });
    return toTimelineItem(row);
  }
}
